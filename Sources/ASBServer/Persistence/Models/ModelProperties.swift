import Fluent

// Every model's property list. Fluent's default `properties` walks the model with reflection on
// every row decoded, every create or update, and every query (to find a soft-delete timestamp);
// written out (a wrapper's projected value is the wrapper itself) the same list costs nothing.
// ModelPropertiesTests checks each list against the reflected one, so a field that is declared
// but not listed here fails the tests rather than going unsaved. The models read and written
// most come first: a case, its deadlines, timeline, audit trail, people, reports, assessments
// and messages, the places reports name, and the signed-in user.

extension ASBCase {
    var properties: [any AnyProperty] {
        [$id, $reference, $referenceYear, $referenceNumber, $status, $channel, $categories, $hate, $hateStrands,
         $asbLimbs, $notASB, $priority, $prioritySource, $riskLevel, $immediateDanger, $location, $postcode,
         $property, $neighbourhood, $allocatedOfficer, $leadAgency, $closedAt, $closureReason, $followUpOf,
         $caseReviewStatus, $caseReviewMetAt, $caseReviewDueAt, $legalHoldReason, $legalHoldAt, $legalHoldBy,
         $anonymisedAt, $accessCodeHash, $receivedAt, $lastIncidentAt, $createdAt, $updatedAt, $version]
    }
}

extension CaseMilestone {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $milestone, $priority, $rule, $explanation, $dueAt, $metAt, $metBy, $metNote,
         $breachRecordedAt, $elapsed, $caseClosedAt, $createdAt]
    }
}

extension CaseEvent {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $at, $kind, $summary, $actor]
    }
}

extension AuditEvent {
    var properties: [any AnyProperty] {
        [$id, $at, $actor, $actorLabel, $action, $entityType, $entityID, $asbCase, $changes, $requestID]
    }
}

extension Party {
    var properties: [any AnyProperty] {
        [$id, $name, $nameKey, $email, $phone, $address, $addressKey, $postcode, $preferredContactMethod,
         $preferredContactTimes, $language, $interpreterNeeded, $supportNotes, $consentToShare, $consentRecordedAt,
         $tenancyReference, $supportNeeds, $property, $anonymisedAt, $createdAt, $updatedAt]
    }
}

extension CaseParty {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $party, $role, $createdAt]
    }
}

extension User {
    var properties: [any AnyProperty] {
        [$id, $username, $displayName, $email, $role, $partnerAgency, $passwordHash, $active, $totpSecret,
         $totpEnabledAt, $totpLastCounter, $createdAt, $updatedAt]
    }
}

extension IncidentReport {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $channel, $receivedAt, $recordedAt, $reporter, $anonymous, $description, $occurredOn,
         $occurredAt, $location, $postcode, $categories, $hate, $hateStrands, $immediateDanger, $riskAnswers,
         $guidanceGiven, $recordedBy]
    }
}

extension OutboxMessage {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $kind, $channel, $recipientParty, $recipientUser, $recipientName, $toAddress, $subject, $textBody,
         $status, $attempts, $nextAttemptAt, $claimedUntil, $lastError, $messageID, $dedupeKey, $createdAt, $sentAt]
    }
}

extension RiskAssessmentRecord {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $questionnaireVersion, $answers, $score, $level, $computedPriority, $priority, $overrideReason,
         $reasons, $supportNeeds, $notASB, $source, $assessedBy, $assessedAt]
    }
}

extension Neighbourhood {
    var properties: [any AnyProperty] {
        [$id, $name, $postcodeSectors]
    }
}

extension Property {
    var properties: [any AnyProperty] {
        [$id, $addressLine, $addressKey, $postcode, $neighbourhood, $tenancyReference]
    }
}

// The rest of the models: the signed-in token, read on every staff request, and the rows of a
// case page (plans, contacts, closure, surveys, referrals, meetings, enforcement, evidence), the
// reference data and the records kept beside them.

extension APIToken {
    var properties: [any AnyProperty] {
        [$id, $user, $tokenHash, $createdAt, $expiresAt, $revokedAt, $lastUsedAt]
    }
}

extension ActionPlan {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $revision, $agreedOn, $howAgreed, $notes, $current, $createdBy, $createdAt, $actions]
    }
}

extension Attachment {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $incident, $enforcement, $fileName, $type, $size, $sha256, $restricted, $uploadedBy,
         $uploadedAt]
    }
}

extension AttachmentContent {
    var properties: [any AnyProperty] {
        [$id, $content]
    }
}

extension CalendarOverride {
    var properties: [any AnyProperty] {
        [$id, $region, $kind, $date, $name, $createdAt, $createdBy]
    }
}

extension CaseReviewApplication {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $applicant, $appliedOn, $thresholdMet, $thresholdExplanation, $meetingOn, $outcome,
         $recommendations, $outcomeDueAt, $outcomeSentOn, $recordedBy, $createdAt]
    }
}

extension ClosureContactRecord {
    var properties: [any AnyProperty] {
        [$id, $proposal, $method, $outcome, $reasons, $at, $recordedBy]
    }
}

extension ClosureProposal {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $reason, $explanation, $withdrawalHow, $withdrawalOn, $status, $proposedBy,
         $proposedAt, $approvedBy, $approvedAt, $endedAt, $endNote, $contacts]
    }
}

extension CommunityNotice {
    var properties: [any AnyProperty] {
        [$id, $neighbourhood, $asbCase, $title, $text, $status, $draftedBy, $draftedAt, $approvedBy,
         $publishedAt]
    }
}

extension ContactLogEntry {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $party, $at, $method, $direction, $summary, $restricted, $recordedBy, $recordedAt]
    }
}

extension ContactPlan {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $party, $frequency, $method, $agreedOn, $agreedBy, $nextContactDue, $forReporter,
         $active, $createdAt]
    }
}

extension DissatisfactionAction {
    var properties: [any AnyProperty] {
        [$id, $review, $what, $owner, $dueOn, $doneOn]
    }
}

extension DissatisfactionReview {
    var properties: [any AnyProperty] {
        [$id, $survey, $asbCase, $status, $findings, $createdAt, $closedAt, $closedBy, $actions]
    }
}

extension EnforcementAction {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $type, $on, $status, $against, $outcome, $notes, $warnings, $recordedBy, $createdAt,
         $updatedAt]
    }
}

extension Feedback {
    var properties: [any AnyProperty] {
        [$id, $kind, $channel, $asbCase, $receivedAt, $name, $email, $phone, $text, $officerName, $status,
         $acknowledgedAt, $investigator, $outcome, $improvementActions, $closedAt, $recordedBy]
    }
}

extension HomesCount {
    var properties: [any AnyProperty] {
        [$id, $yearStart, $homes, $updatedBy, $updatedAt]
    }
}

extension IdempotencyRecord {
    var properties: [any AnyProperty] {
        [$id, $key, $requestHash, $response, $createdAt, $expiresAt]
    }
}

extension ImportedHoliday {
    var properties: [any AnyProperty] {
        [$id, $region, $year, $date, $name]
    }
}

extension InboundEmail {
    var properties: [any AnyProperty] {
        [$id, $messageID, $asbCase, $outcome, $receivedAt]
    }
}

extension InternalCaseReview {
    var properties: [any AnyProperty] {
        [$id, $sample, $asbCase, $reviewer, $status, $checklist, $findings, $actions, $completedAt]
    }
}

extension InternalReviewSample {
    var properties: [any AnyProperty] {
        [$id, $month, $seed, $percent, $minimum, $closedCount, $drawnAt]
    }
}

extension LeadAgencyDecision {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $agency, $reason, $decidedBy, $decidedAt]
    }
}

extension PartnerAgency {
    var properties: [any AnyProperty] {
        [$id, $name, $kind, $email, $phone, $active, $createdAt]
    }
}

extension PlanAction {
    var properties: [any AnyProperty] {
        [$id, $plan, $position, $what, $owner, $ownerUser, $ownerAgency, $ownerParty, $dueOn, $status,
         $completedOn, $completionNote, $updatedAt]
    }
}

extension RecoveryCode {
    var properties: [any AnyProperty] {
        [$id, $user, $codeHash, $usedAt]
    }
}

extension Referral {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $agency, $reason, $consentGiven, $lawfulBasis, $sharedFields, $status, $sentAt,
         $sentBy, $updatedAt, $updates]
    }
}

extension ReferralUpdate {
    var properties: [any AnyProperty] {
        [$id, $referral, $at, $author, $text, $status]
    }
}

extension ReviewMeeting {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $status, $scheduledFor, $heldOn, $attendees, $agencyIDs, $summary, $decisions,
         $nextReviewOn, $createdBy, $createdAt, $updatedAt]
    }
}

extension RiskQuestionnaireRecord {
    var properties: [any AnyProperty] {
        [$id, $definition, $createdAt]
    }
}

extension SatisfactionSurvey {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $status, $dueAt, $tokenHash, $answeredBy, $answeredAt, $overall, $keptInformed,
         $easeOfReporting, $listenedTo, $wouldReportAgain, $comments, $enteredBy]
    }
}

extension ThrottleEvent {
    var properties: [any AnyProperty] {
        [$id, $scope, $keyHash, $at]
    }
}

extension WitnessEvidenceRecord {
    var properties: [any AnyProperty] {
        [$id, $asbCase, $kind, $party, $witnessName, $confirmedOn, $howConfirmed, $approvedBy, $approvedAt,
         $recordedBy, $createdAt]
    }
}
