"""The load scenario's people (run by bench/load_scenario.py, which sets the environment):
clerks register families and run the instant check while typing, caseworkers read cases and
write notes, coordinators read worklists and the site pages. Each acknowledged registration's
marker is written to LOAD_ACKS, for the reconciliation."""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

PASSWORD = os.environ["LOAD_PASSWORD"]
WORLD = json.loads(os.environ["LOAD_WORLD"])
ACKED: list[str] = []
HELD: list[str] = []  # registrations a likely-match warning held for the clerk's answer
# Sixteen consonants, one for each hex digit of a registration's marker.
ARABIC_LETTERS = "بتثجحخدذرزسشصضطظ"


class Staff(HttpUser):
    """Think times are a person's pace, not a robot's: what the scenario models is written
    beside each kind of staff, and the offered load it adds up to in bench/README.md."""

    abstract = True
    wait_time = between(1, 3)
    prefix = ""

    def on_start(self):
        self.username = f"{self.prefix}{random.randrange(WORLD['accounts'][self.prefix])}"
        self.client.get("/accounts/login/", name="sign in page")
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf},
            name="sign in",
        )

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post(self, url, data, name, **kwargs):
        return self.client.post(
            url,
            {**data, "csrfmiddlewaretoken": self.csrf},
            name=name,
            headers={"X-CSRFToken": self.csrf},
            **kwargs,
        )


class Clerk(Staff):
    """A clerk at a busy desk: the instant check runs as each member's names and birth date are
    typed (one member every 5 to 15 seconds, faster than issue 11's family of six in two
    minutes), and a two-member family is saved about every 40 seconds."""

    weight = 4
    prefix = "loadclerk"
    wait_time = between(5, 15)

    def _member(
        self, index, marker, given, relationship, sex, birth, family_ar="حداد", given_lat="Load"
    ):
        return {
            f"members-{index}-relationship": relationship,
            f"members-{index}-given_name_ar": given,
            f"members-{index}-family_name_ar": family_ar,
            f"members-{index}-given_name_lat": given_lat,
            f"members-{index}-family_name_lat": marker,
            f"members-{index}-sex": sex,
            f"members-{index}-birth_date_text": birth,
        }

    @task(3)
    def instant_check(self):
        member = self._member(
            0, "Haddad", random.choice(["محمد", "أحمد", "خالد"]), "head", "m", "1983"
        )
        self.post("/identity/check/", {**member, "prefix": "members-0"}, name="instant check")

    @task(1)
    def register_family(self):
        marker = "L" + uuid.uuid4().hex[:12]
        # Each family its own names and birth years: with one family name for all, every
        # registration after the first was a likely match of the one before; with only the
        # family name drawn, the same given names (Arabic and Latin) and birth years still made
        # one in five a likely match (probability 0.90), shown back for the clerk's answer: the
        # instant check doing its job, not a failure (53 of them in the 3-minute run).
        family_ar, head_ar, son_ar = (
            "".join(ARABIC_LETTERS[int(c, 16)] for c in marker[start : start + 4])
            for start in (1, 5, 9)
        )
        head_born, son_born = str(random.randint(1960, 1995)), str(random.randint(2005, 2020))
        data = {
            "site": WORLD["site"],
            "registered_on": WORLD["today"],
            "consent": ["registration"],
            "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "1",
            "members-MAX_NUM_FORMS": "40",
            **self._member(0, marker, head_ar, "head", "m", head_born, family_ar, "H" + marker),
            **self._member(1, marker, son_ar, "son", "m", son_born, family_ar, "S" + marker),
        }
        self.client.get("/registry/register/", name="register page")
        if self._save(data, marker, "register family") == "held":
            # A likely match shown back (namesakes born within a few years of each other): the
            # clerk looks, sees another family, and saves it as new with the reason, as the
            # desk does. Answers on members without a warning are ignored by the form.
            answered = {
                **data,
                **{f"members-{i}-match_choice": "new" for i in range(2)},
                **{f"members-{i}-match_reason": "Another family: asked them" for i in range(2)},
            }
            self._save(answered, marker, "register family, warning answered", held_fails=True)

    def _save(self, data, marker, name, held_fails=False) -> str:
        with self.post(
            "/registry/register/", data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302 and "/registry/households/" in response.headers.get(
                "Location", ""
            ):
                ACKED.append(marker)
                response.success()
                return "saved"
            if response.status_code == 200 and "match_choice" in response.text and not held_fails:
                response.success()  # the instant check doing its job; counted by its own name
                HELD.append(marker)
                return "held"
            response.failure(f"not registered: {response.status_code}")
            return "failed"


class Caseworker(Staff):
    """A caseworker reads a person's case and, one time in two, writes a note: 10 to 30
    seconds between pages (reading and typing), with the worklist in between."""

    weight = 3
    prefix = "loadcase"
    wait_time = between(10, 30)

    @task(2)
    def worklist(self):
        self.client.get("/casework/", name="worklist")

    @task(3)
    def read_case(self):
        person = random.choice(WORLD["people"])
        page = self.client.get(f"/casework/people/{person}/", name="person case")
        match = re.search(r'name="domain"[^>]*>\s*<option value="(\w+)"', page.text)
        if match and random.random() < 0.5:
            self.post(
                f"/casework/people/{person}/notes/",
                {"domain": match.group(1), "text": "Load note: asked about school places."},
                name="write note",
            )
        steps = re.findall(r'hx-get="/casework/steps/(\d+)/edit/"', page.text)
        if steps and random.random() < 0.5:
            self.update_step(random.choice(steps))

    def update_step(self, step: str) -> None:
        """The step's next date set a week on, everything else as it stands (status, outcome,
        evidence, owner: so no pathway rule refuses it): the commonest update of a day's
        casework. Only steps the page offers for update (her role's) are tried."""
        url = f"/casework/steps/{step}/edit/"
        fields = _form_fields(self.client.get(url, name="step form").text)
        if "version" not in fields:
            return
        data = {**fields, "due_on": WORLD["next_week"]}
        with self.post(
            url, data, name="update step", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302:
                response.success()
            elif response.status_code == 200 and _form_fields(response.text).get("version") not in (
                None,
                fields["version"],
            ):
                response.success()  # another caseworker saved it first: told, form reloaded
            else:
                response.failure(f"step not saved: {response.status_code}")


class _FormFields(HTMLParser):
    """A form's fields as the browser would post them untouched: inputs' values, each select's
    selected option, textareas' text."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def _form_fields(page: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    return parser.fields


class Coordinator(Staff):
    """A coordinator looks over the worklist and the sites, three pages at a go, every 15 to 45
    seconds."""

    weight = 1
    prefix = "loadcoord"
    wait_time = between(15, 45)

    @task
    def pages(self):
        self.client.get("/casework/", name="worklist")
        self.client.get("/sites/", name="sites overview")
        self.client.get(f"/sites/{random.choice(WORLD['sites'])}/", name="site page")


@events.init.add_listener
def _fresh_clock(environment, **kwargs):
    # gevent's loop caches "now" from before the (slow) imports; a --run-time timer scheduled
    # from that stale time fires seconds early, so refresh it first.
    import gevent

    gevent.get_hub().loop.update_now()


@events.test_stop.add_listener
def _write_acknowledged(environment, **kwargs):
    with open(os.environ["LOAD_ACKS"], "w") as out:
        json.dump({"acknowledged": ACKED, "held": len(HELD)}, out)
