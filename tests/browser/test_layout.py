"""Every page of every role fits a phone (390 px) and a tablet (1024 px) in English, Russian
and Arabic: nothing wider than the screen, nothing in the header covering something else.

One browser, one context per role, one world for the whole walk: each page is loaded once per
language and measured at both widths (resizing re-lays it out without another request).
Set REFUGE_LAYOUT_SCREENSHOTS=1 to keep a full-page PNG of every page in var/screenshots/layout.
"""

import os
from datetime import date, timedelta

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from refuge.accounts.roles import Role
from refuge.sites.housing import allocate_household
from refuge.sites.models import SiteKind
from refuge.testing import SiteFactory, UserFactory, build_world, register
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.test_role_matrix import REQUESTS, ROLES, _records

WIDTHS = {"phone": (390, 844), "tablet": (1024, 768)}
LANGUAGES = ("en", "ru", "ar")
# The matrix's pages that are laid out: not its actions, PDFs, download or htmx fragments
# (search answers htmx too, and is typed into its own page here).
NOT_LAID_OUT = {
    "manifest",
    "slip",
    "attachment",
    "household_by_number",
    "field_report",
    "figures_csv",
    "hxl",
    "sitrep_pdf",
}  # the QR way in redirects
MATRIX_PAGES = [
    r
    for r in REQUESTS
    if r.effect is None
    and r.name not in NOT_LAID_OUT
    and ((r.method == "get" and not r.htmx) or r.name == "search")
]
# Pages outside the role matrix: every role tries them, and those that answer are laid out.
OUTSIDE_MATRIX = (
    "two_factor_setup",
    "grants",
    "emergency_access",
    "api_tokens",
    "audit_entry",
    "household_pair",
)
# Pages of the matrix seen once more with rows in them: (its name, the query).
FULLER = {"worklist_overdue": ("worklist", "?list=overdue")}
BY_NAME = {r.name: r for r in MATRIX_PAGES}
# URL names that answer a form or an htmx request and are never a page of their own, or
# (two_factor, profile) only redirect here; two_factor asks for a code once an app is
# enrolled, on the sign-in form's layout.
NOT_PAGES = {
    "accounts:logout",
    "accounts:language",
    "accounts:profile",
    "accounts:two_factor",
    "registry:complete_registration",
    "registry:household_by_number",
    "registry:name_suggestions",
    "registry:withdraw_consent",
    "casework:add_note",
    "casework:add_attachment",
    "casework:add_referral",
    "casework:step",
    "casework:referral_status",
    "identity:undo_link",
    "tracing:add_sought",
    "tracing:add_note",
    "tracing:take_over",
    "tracing:close",
    "set_language",
    # ODK Collect's OpenRosa endpoints answer XML to phones, with device credentials.
    "openrosa:form_list",
    "openrosa:form",
    "openrosa:submission",
}
PHONE_HEADER_MAX = 140  # px of an 844 px screen: the header must leave room for the work

# Where the page is wider than the screen, name the elements that stick out, so the failure
# says what to fix; elements inside a horizontal scroller (a wide table) are allowed to.
MEASURE = """() => {
  const width = window.innerWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX === 'auto' || style.overflowX === 'scroll') return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className ? '.' + el.className.trim() : '');
  const sticking = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.width && (box.right > width + 1 || box.left < -1) && !inScroller(el)
          && ![...el.children].some((c) => { const b = c.getBoundingClientRect();
               return b.width && (b.right > width + 1 || b.left < -1); })) {
        sticking.push(name(el) + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
      }
    }
  }
  const parts = [...document.querySelectorAll(
    'header a, header button, header .who')];
  const covered = [];
  const boxes = parts.map((el) => el.getBoundingClientRect());
  for (let i = 0; i < parts.length; i++) {
    const a = boxes[i];
    if ((a.left < -1 || a.right > width + 1) && !inScroller(parts[i])) {
      covered.push(name(parts[i]) + ' off the screen');
    }
    for (let j = i + 1; j < parts.length; j++) {
      const b = boxes[j];
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) {
        covered.push(parts[i].textContent.trim() + ' / ' + parts[j].textContent.trim());
      }
    }
  }
  const header = document.querySelector('header');
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width: width,
    sticking: sticking.slice(0, 6),
    covered: covered,
    header: header ? Math.round(header.getBoundingClientRect().height) : 0,
  };
}"""


def _url_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":  # Django's own admin, laid out by Django
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def _allowed(user, records) -> list[str]:
    pages = [r.name for r in MATRIX_PAGES if r.allowed(user, records)]
    return pages + [name for name, (page, _query) in FULLER.items() if page in pages]


def _cache_static(context, store: dict) -> None:
    """Serve CSS and scripts from memory after their first load: the walk measures pages,
    and several hundred revalidations of the same two files would only slow it down."""

    def serve(route):
        url = route.request.url
        if url not in store:
            response = route.fetch()
            store[url] = (response.status, response.headers, response.body())
        status, headers, body = store[url]
        route.fulfill(status=status, headers=headers, body=body)

    context.route("**/static/**", serve)


def _open(page, url, method, data) -> bool:
    """Open the page; False when it refused this user or sent them elsewhere."""
    response = page.goto(url, wait_until="domcontentloaded")  # after the CSS, in Chromium
    if method == "post":  # a search: typed into its form, as a person would
        for name, value in data.items():
            page.fill(f"main [name={name}]", value)
        page.locator(f"main [name={next(iter(data))}]").press("Enter")
        page.wait_for_load_state("networkidle")  # the results come by htmx
        return True
    return response.status == 200 and page.url == url


def _check(page, where, problems, shots):
    # Measured at the width the page opened at first, then at the other: one resize a page.
    sizes = sorted(WIDTHS.items(), key=lambda item: item[1][0] != page.viewport_size["width"])
    for size, (width, height) in sizes:
        if page.viewport_size["width"] != width:
            page.set_viewport_size({"width": width, "height": height})
        found = page.evaluate(MEASURE)
        label = f"{where} at {width} px"
        if found["scrollWidth"] > found["width"]:
            problems.append(f"{label}: {found['scrollWidth']} px wide {found['sticking']}")
        if found["covered"]:
            problems.append(f"{label}: header overlaps {found['covered']}")
        if size == "phone" and found["header"] > PHONE_HEADER_MAX:
            problems.append(f"{label}: header {found['header']} px tall")
        if shots:
            path = SCREENSHOTS / "layout" / f"{where.replace(' ', '-')}-{size}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)


def test_every_page_fits_phone_and_tablet_in_every_language(browser, live_server, audit_flushable):
    world = build_world()
    admin = world.user("admin")
    medical = UserFactory(username="medical.all", role=Role.MEDICAL, all_sites=True)
    transit = SiteFactory(code="MOW", name="Moscow transit", kind=SiteKind.TRANSIT)
    # The role matrix's records: the shelter clerk works on the shelter's, everyone else on
    # Perm centre 1's.
    perm = _records(world, admin, medical, world.perm, world.perm2, "حسن", "Hassan")
    shelter = _records(world, admin, medical, world.shelter, transit, "عيسى", "Issa")
    # A household in a room, so the beds page shows its "Move" forms.
    allocate_household(household=perm.household, room=perm.room, by=admin)
    # A family registered a month ago, so that worklists have overdue rows to lay out.
    register(world.perm, world.user("clerk_perm"), registered_on=date.today() - timedelta(days=30))
    households = [perm.pair.person_a.household_id, perm.pair.person_b.household_id]
    outside = {
        "two_factor_setup": reverse("accounts:two_factor_setup"),
        "grants": reverse("accounts:grants"),
        "emergency_access": reverse("accounts:emergency_access"),
        "api_tokens": reverse("api:tokens"),
        "audit_entry": reverse("audit:entry", args=[1]),
        "household_pair": reverse("identity:household_pair", args=households),
    }

    def pages_of(records) -> dict:
        pages = {r.name: (r.url(records), r.method, r.data(records)) for r in MATRIX_PAGES}
        for name, (page, query) in FULLER.items():
            pages[name] = (pages[page][0] + query, "get", None)
        pages.update({n: (url, "get", None) for n, url in outside.items() if n not in BY_NAME})
        return pages

    visited = {resolve(url.split("?")[0]).view_name for url, *_ in pages_of(perm).values()}
    visited.add("accounts:login")
    # The matrix's PDFs, download and htmx fragments are left out above, on purpose.
    visited |= {resolve(r.url(perm).split("?")[0]).view_name for r in REQUESTS if r.htmx}
    visited |= {
        resolve(r.url(perm).split("?")[0]).view_name for r in REQUESTS if r.name in NOT_LAID_OUT
    }
    # The REST API answers JSON, and its docs are Swagger UI's and Redoc's own pages.
    api = {name for name in _url_names() if name.startswith("api:") and name != "api:tokens"}
    unvisited = set(_url_names()) - visited - NOT_PAGES - api
    assert not unvisited, f"pages missing from the layout walk: {sorted(unvisited)}"

    shots = os.environ.get("REFUGE_LAYOUT_SCREENSHOTS") == "1"
    problems: list[str] = []
    static: dict = {}
    anonymous = browser.new_context()
    _cache_static(anonymous, static)
    login = anonymous.new_page()
    for language in LANGUAGES:
        login.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        login.goto(f"{live_server.url}/accounts/login/")
        _check(login, f"anonymous {language} login", problems, shots)
    anonymous.close()

    for role in ROLES:
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        _cache_static(context, static)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        user = world.users[getattr(Role, role.upper(), role)]
        records = shelter if role == "clerk" else perm
        pages = pages_of(records)
        sign_in(page, user.username)
        refused: set[str] = set()  # pages outside the matrix this role does not have
        for language in LANGUAGES:
            page.click(f"header .language button[value={language}]")
            page.wait_for_load_state()
            # Pages the matrix has taken in since are visited as the matrix says.
            outside_only = [n for n in OUTSIDE_MATRIX if n not in BY_NAME]
            for name in [*_allowed(user, records), *outside_only]:
                if name in refused:
                    continue
                url, method, data = pages[name]
                if not _open(page, live_server.url + url, method, data):
                    assert name in OUTSIDE_MATRIX, f"{role} {language} {name} refused"
                    refused.add(name)
                    continue
                _check(page, f"{role} {language} {name}", problems, shots)
        context.close()

    assert not problems, "\n".join(problems)
