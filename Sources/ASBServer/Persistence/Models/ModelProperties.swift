import Fluent

// The property lists of the models read and written most (a case, its deadlines, timeline, audit
// trail, people, reports, assessments and messages, the places reports name, and the signed-in
// user). Fluent's default `properties` walks the model with reflection on every row decoded and
// every create or update; written out (a wrapper's projected value is the wrapper itself) the
// same list costs nothing. ModelPropertiesTests checks each list against the reflected one, so a
// field that is declared but not listed here fails the tests rather than going unsaved.

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
         $htmlBody, $status, $attempts, $nextAttemptAt, $claimedUntil, $lastError, $messageID, $dedupeKey, $createdAt, $sentAt]
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
