"""Synthetic registrations with ground truth, in the person exchange format.

Households are drawn with the name frequencies of `refuge.registry.lexicon`; each household is
registered one to four times (shelter, transit, host region), each time by a clerk who writes in
Arabic script, English-press, French-style or scholarly Latin, or Russian Cyrillic, with that
clerk's habits (abbreviating Mohammed to Mhd, dropping the article, typos, writing only the year,
swapping given and family name). Relatives share names the way Syrian families do: a first son is
often named after his grandfather, twins share everything but the given name, wives keep their
father's family name. Members may be missing at a later registration.

The transliteration rules here are written independently of `refuge.matching` so that the engine
is not graded on its own rules.

    python bench/synthetic.py 100000 --seed 1 --out bench/out/synth-100k
writes synth-100k.csv (exchange format) and synth-100k.truth.csv (record_id,person_id).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from refuge.matching.records import EXCHANGE_COLUMNS  # noqa: E402
from refuge.registry.lexicon import FAMILY, FEMALE_GIVEN, MALE_GIVEN, Name  # noqa: E402

PLACES = [
    Name("اللاذقية", "Latakia", "Латакия", 30),
    Name("جبلة", "Jableh", "Джебла", 15),
    Name("طرطوس", "Tartus", "Тартус", 12),
    Name("بانياس", "Baniyas", "Банияс", 10),
    Name("القرداحة", "Qardaha", "Кардаха", 6),
    Name("حماة", "Hama", "Хама", 8),
    Name("حمص", "Homs", "Хомс", 8),
    Name("مصياف", "Masyaf", "Масьяф", 5),
    Name("صافيتا", "Safita", "Сафита", 4),
    Name("الدريكيش", "Dreikish", "Дрейкиш", 2),
]
# The districts above lie in these governorates (a clerk may write the governorate instead).
GOVERNORATE_OF = {
    "Jableh": "Latakia",
    "Qardaha": "Latakia",
    "Baniyas": "Tartus",
    "Safita": "Tartus",
    "Dreikish": "Tartus",
    "Masyaf": "Hama",
}
LATIN_PLACE_VARIANTS = {
    "Latakia": ["Latakia", "Lattakia", "Lattaquié", "Al-Ladhiqiyah"],
    "Tartus": ["Tartus", "Tartous"],
    "Jableh": ["Jableh", "Jablah", "Jeble"],
    "Qardaha": ["Qardaha", "Kardaha"],
    "Baniyas": ["Baniyas", "Banias"],
}
SPECIAL_LATIN = {
    "Mohammed": ["Mohammed", "Mohammad", "Muhammad", "Mohamed", "Mohamad", "Muhammed"],
    "Abdulrahman": ["Abdulrahman", "Abdul Rahman", "Abd al-Rahman", "Abdel Rahman", "Abdelrahman"],
    "Abdulkarim": ["Abdulkarim", "Abdul Karim", "Abd al-Karim", "Abdelkarim"],
    "Abdulrazzaq": ["Abdulrazzaq", "Abdul Razzaq", "Abd al-Razzaq", "Abdelrazak"],
    "Abdullah": ["Abdullah", "Abdallah", "Abd Allah", "Abdulla"],
    "Youssef": ["Youssef", "Yousef", "Yusuf", "Yousuf"],
    "Hussein": ["Hussein", "Husain", "Hussain", "Husein"],
    "Ahmad": ["Ahmad", "Ahmed"],
    "Mahmoud": ["Mahmoud", "Mahmud", "Mahmood"],
    "Mustafa": ["Mustafa", "Moustafa", "Mostafa"],
    "Omar": ["Omar", "Umar"],
    "Othman": ["Othman", "Osman", "Uthman"],
    "Fatima": ["Fatima", "Fatimah", "Fatma"],
    "Khadija": ["Khadija", "Khadijah", "Khadeeja"],
    "Zainab": ["Zainab", "Zaynab", "Zeinab"],
    "Haidar": ["Haidar", "Haydar", "Hayder"],
    "Qasim": ["Qasim", "Kassem", "Qassem", "Gasim"],
    "Qasem": ["Qasem", "Kassem", "Qassim"],
}
SPECIAL_CYRILLIC = {
    "Мухаммед": ["Мухаммед", "Мухаммад", "Мохаммед", "Мухамед", "Мохамед"],
    "Хусейн": ["Хусейн", "Хусеин", "Хуссейн"],
    "Юсеф": ["Юсеф", "Юсуф"],
    "Ахмад": ["Ахмад", "Ахмед"],
}
TWIN_PAIRS = [("حسن", "حسين"), ("محمد", "أحمد"), ("سامر", "سومر")]
SCHEMES = ("arabic", "english", "french", "scholarly", "russian")
_AR_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_LA_LETTERS = "abdefghiklmnorstuyz"
_CY_LETTERS = "абвгдежзийклмнопрстуфхшя"
_SCHOLARLY_CONSONANTS = {"ح": "ḥ", "ص": "ṣ", "ط": "ṭ", "ض": "ḍ", "ظ": "ẓ"}


def _mark_long(latin: str, arabic: str, letter: str, plain: str, long_: str) -> str:
    """Put a macron on the Latin vowel that stands where the Arabic long vowel stands: after as
    many consonants as precede it in the Arabic word."""
    pos = arabic.find(letter, 1)
    before = sum(1 for ch in arabic[:pos] if ch not in "اويىة ")
    seen = 0
    for i, ch in enumerate(latin):
        if ch.isalpha() and ch not in "aeiouāīūy":
            seen += 1
        elif seen == before and seen > 0 and ch == plain:
            return latin[:i] + long_ + latin[i + 1 :]
    return latin


@dataclass
class Person:
    pid: int
    sex: str
    given: Name
    father: Name
    family: Name
    mother_given: Name | None
    mother_family: Name | None
    birth: tuple[int, int, int]
    origin: Name
    document: str = ""
    husband_family: Name | None = None


@dataclass
class Clerk:
    scheme: str
    abbreviate: float
    drop_article: float
    typo: float
    year_only: float
    swap: float
    site: str
    # Habits the independent evaluation found: Russian г for Arabic h, a sex written wrongly,
    # the governorate for the district, an estimated year off, a father's name left out.
    g_for_h: float = 0.0
    sex_slip: float = 0.0
    governorate: float = 0.0
    estimate_off: float = 0.0
    no_father: float = 0.05
    seen: set = field(default_factory=set)


def _pick(rng: random.Random, names) -> Name:
    return rng.choices(names, weights=[n.weight for n in names])[0]


def _by_arabic(arabic: str) -> Name:
    for n in MALE_GIVEN:
        if n.arabic == arabic:
            return n
    raise KeyError(arabic)


class Generator:
    """Streams households and their registrations; deterministic for a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.pid = 0
        self.rid = 0
        self.hh = 0
        self.doc = 100000

    def _birth(self, y0: int, y1: int) -> tuple[int, int, int]:
        r = self.rng
        return (r.randint(y0, y1), r.randint(1, 12), r.randint(1, 28))

    def _person(self, sex, given, father, family, mother, birth, origin) -> Person:
        self.pid += 1
        mg, mf = mother if mother else (None, None)
        doc = ""
        if birth[0] < 2008 and self.rng.random() < 0.35:
            self.doc += self.rng.randint(1, 50)
            doc = f"N{self.doc:09d}"
        return Person(self.pid, sex, given, father, family, mg, mf, birth, origin, doc)

    def household(self) -> list[Person]:
        r = self.rng
        family = _pick(r, FAMILY)
        origin = _pick(r, PLACES)
        grandfather_name = _pick(r, MALE_GIVEN)
        head_given = _pick(r, MALE_GIVEN)
        head_birth = self._birth(1950, 1995)
        gm = (_pick(r, FEMALE_GIVEN), _pick(r, FAMILY))
        head = self._person("m", head_given, grandfather_name, family, gm, head_birth, origin)
        wife_family = _pick(r, FAMILY)
        wife = self._person(
            "f",
            _pick(r, FEMALE_GIVEN),
            _pick(r, MALE_GIVEN),
            wife_family,
            (_pick(r, FEMALE_GIVEN), _pick(r, FAMILY)),
            (head_birth[0] + r.randint(-2, 10), r.randint(1, 12), r.randint(1, 28)),
            origin,
        )
        wife.husband_family = family
        members = [wife] if r.random() < 0.1 else [head, wife]  # a widow with her children
        mother = (wife.given, wife.family)
        used = {head_given.arabic, grandfather_name.arabic}
        year = wife.birth[0] + r.randint(18, 26)
        first_son = True
        for _ in range(r.choices(range(7), weights=[10, 15, 22, 22, 15, 10, 6])[0]):
            if year > 2024:
                break
            birth = (year, r.randint(1, 12), r.randint(1, 28))
            twins = r.random() < 0.05
            for k in range(2 if twins else 1):
                sex = r.choice("mf")
                if sex == "m" and first_son and r.random() < 0.5:
                    given = grandfather_name  # named after the grandfather
                elif twins and sex == "m" and r.random() < 0.5:
                    pair = r.choice(TWIN_PAIRS)
                    given = _by_arabic(pair[k])
                else:
                    pool = MALE_GIVEN if sex == "m" else FEMALE_GIVEN
                    given = _pick(r, pool)
                    for _ in range(5):
                        if given.arabic not in used:
                            break
                        given = _pick(r, pool)
                used.add(given.arabic)
                first_son = first_son and sex != "m"
                members.append(self._person(sex, given, head_given, family, mother, birth, origin))
            year += r.randint(1, 4)
        if r.random() < 0.15:  # the grandfather lives with them
            gf_birth = (head_birth[0] - r.randint(20, 35), r.randint(1, 12), r.randint(1, 28))
            members.append(
                self._person(
                    "m", grandfather_name, _pick(r, MALE_GIVEN), family, None, gf_birth, origin
                )
            )
        return members

    # --- writing ------------------------------------------------------------------------

    def clerk(self, site: str, schemes: list[str], weights: list[int]) -> Clerk:
        r = self.rng
        return Clerk(
            scheme=r.choices(schemes, weights=weights)[0],
            abbreviate=r.choice([0.0, 0.0, 0.3]),
            drop_article=r.choice([0.0, 0.2, 0.6]),
            typo=r.choice([0.005, 0.02, 0.05]),
            year_only=r.choice([0.05, 0.15, 0.4]),
            swap=r.choice([0.0, 0.0, 0.05]),
            site=site,
            g_for_h=r.choice([0.0, 0.0, 0.8]),
            sex_slip=r.choice([0.0, 0.01, 0.02]),
            governorate=r.choice([0.0, 0.2, 0.5]),
            estimate_off=r.choice([0.0, 0.3]),
            no_father=r.choice([0.03, 0.05, 0.15]),
        )

    def _typo(self, text: str, scheme: str) -> str:
        r = self.rng
        if len(text) < 3:
            return text
        letters = (
            _AR_LETTERS
            if scheme == "arabic"
            else _CY_LETTERS
            if scheme == "russian"
            else _LA_LETTERS
        )
        i = r.randrange(1, len(text) - 1)
        kind = r.randrange(4)
        if kind == 0:
            return text[:i] + text[i + 1 :]
        if kind == 1:
            return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
        if kind == 2:
            return text[:i] + text[i] + text[i:]
        return text[:i] + r.choice(letters) + text[i + 1 :]

    def write_name(self, name: Name | None, clerk: Clerk) -> str:
        if name is None:
            return ""
        r = self.rng
        s = clerk.scheme
        if s == "arabic":
            text = name.arabic
            if r.random() < 0.4:
                text = text.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
            if r.random() < 0.2:
                text = text.replace("ة", "ه")
            if r.random() < 0.3:
                text = text.replace("ى", "ي")
            if text.startswith("عبد ") and r.random() < 0.5:
                text = text.replace("عبد ", "عبد", 1)
            if text.startswith("ال") and r.random() < clerk.drop_article:
                text = text[2:]
            if r.random() < 0.03:
                text = text[:2] + "\u064e" + text[2:]  # a fatha
            if r.random() < 0.02 and len(text) > 3:
                text = text[:2] + "ـ" + text[2:]  # tatweel
        elif s == "russian":
            text = r.choice(SPECIAL_CYRILLIC.get(name.cyrillic, [name.cyrillic]))
            if text.lower().startswith(("аль-", "ас-", "аш-", "ад-", "ар-", "ат-")):
                art, rest = text.split("-", 1)
                roll = r.random()
                if roll < clerk.drop_article:
                    text = rest
                elif roll < 0.5:
                    text = art.capitalize() + "-" + rest
            text = self._russian_variant(text)
            if r.random() < clerk.g_for_h and ("ه" in name.arabic or "ح" in name.arabic):
                text = text.replace("Х", "Г").replace("х", "г")
        else:
            text = self._latin(name, clerk)
        if clerk.abbreviate and name.latin == "Mohammed" and r.random() < clerk.abbreviate:
            forms = {"arabic": ["م.", "محمد"], "russian": ["Мухд", "Мхд", "Мух."]}
            text = r.choice(forms.get(s, ["Mhd", "Mohd", "Mhd."]))
        if r.random() < clerk.typo:
            text = self._typo(text, s)
        return text

    def _russian_variant(self, text: str) -> str:
        r = self.rng
        if r.random() < 0.15:
            for a, b in (("сс", "с"), ("мм", "м"), ("лл", "л"), ("нн", "н"), ("дд", "д")):
                if a in text:
                    return text.replace(a, b, 1)
        return text

    def _latin(self, name: Name, clerk: Clerk) -> str:
        r = self.rng
        base = r.choice(SPECIAL_LATIN.get(name.latin, [name.latin]))
        article = ""
        if base.startswith("Al-"):
            article, base = "al", base[3:]
        if clerk.scheme != "scholarly" and r.random() < 0.25:
            base = self._english_variant(base)
        if clerk.scheme == "french":
            base = self._french(base)
        elif clerk.scheme == "scholarly":
            base = self._scholarly(base, name.arabic)
        if article:
            roll = r.random()
            if roll < clerk.drop_article:
                return base
            if clerk.scheme == "french":
                return "El-" + base if r.random() < 0.6 else "Al " + base
            if clerk.scheme == "scholarly":
                return "al-" + base
            return r.choice(["Al-", "al-", "Al", "El-", "Al "]) + base
        return base

    def _english_variant(self, s: str) -> str:
        r = self.rng
        rules = [
            ("ee", "i"),
            ("ou", "u"),
            ("ss", "s"),
            ("mm", "m"),
            ("dd", "d"),
            ("ei", "ai"),
            ("a", "e"),
            ("e", "a"),
            ("o", "u"),
        ]
        r.shuffle(rules)
        for a, b in rules:
            if a in s[1:]:
                i = s.index(a, 1)
                return s[:i] + b + s[i + len(a) :]
        return s

    def _french(self, s: str) -> str:
        out = s.replace("sh", "ch").replace("Sh", "Ch").replace("ee", "i")
        out = out.replace("j", "dj").replace("J", "Dj")
        if "ou" not in out.lower():
            out = out.replace("u", "ou").replace("U", "Ou")
        if out.startswith("W"):
            out = "Ou" + out[1:]
        if self.rng.random() < 0.3 and out.endswith("a"):
            out = out[:-1] + "é" if self.rng.random() < 0.3 else out
        return out

    def _scholarly(self, s: str, arabic: str) -> str:
        r = self.rng
        out = s.lower()
        for a, b in (("ee", "ī"), ("ou", "ū"), ("oo", "ū"), ("o", "u"), ("ss", "s")):
            out = out.replace(a, b)
        if arabic.startswith("ع"):
            out = "ʿ" + out
        for ar, lat in _SCHOLARLY_CONSONANTS.items():
            if ar in arabic:
                plain = {"ḥ": "h", "ṣ": "s", "ṭ": "t", "ḍ": "d", "ẓ": "z"}[lat]
                i = out.find(plain, 1 if out.startswith("ʿ") else 0)
                if i >= 0 and out[i : i + 2] not in ("sh", "kh", "th", "dh", "gh"):
                    out = out[:i] + lat + out[i + 1 :]
        for letter, plain, long_ in (("ا", "a", "ā"), ("ي", "i", "ī"), ("و", "u", "ū")):
            if letter in arabic[1:] and r.random() < 0.8:
                out = _mark_long(out, arabic, letter, plain, long_)
        out = out.replace("eī", "ay").replace("ei", "ay").replace("ai", "ay")
        return out[0].upper() + out[1:] if out[0] != "ʿ" else "ʿ" + out[1].upper() + out[2:]

    def write_date(self, p: Person, clerk: Clerk) -> str:
        r = self.rng
        y, m, d = p.birth
        roll = r.random()
        if roll < 0.10:
            return ""
        roll = r.random()
        if roll < clerk.year_only:
            if r.random() < clerk.estimate_off:  # a year estimated from the age given
                y += r.choice((-2, -1, 1, 2))
            return str(y) if roll < clerk.year_only * 0.6 else f"{y}-01-01"
        roll = r.random()
        if roll < 0.04:
            return f"{y + r.choice((-1, 1))}-{m:02d}-{d:02d}"
        if roll < 0.08 and d <= 12:
            return f"{y}-{d:02d}-{m:02d}"
        return f"{y}-{m:02d}-{d:02d}"

    def write_place(self, place: Name, clerk: Clerk) -> str:
        if self.rng.random() < 0.15:
            return ""
        if place.latin in GOVERNORATE_OF and self.rng.random() < clerk.governorate:
            place = next(p for p in PLACES if p.latin == GOVERNORATE_OF[place.latin])
        if clerk.scheme == "arabic":
            return place.arabic
        if clerk.scheme == "russian":
            return place.cyrillic
        return self.rng.choice(LATIN_PLACE_VARIANTS.get(place.latin, [place.latin]))

    def registration(self, p: Person, clerk: Clerk, household_ref: str) -> list[str]:
        r = self.rng
        self.rid += 1
        family = p.family
        if p.husband_family and r.random() < 0.15:
            family = p.husband_family  # a clerk who gives the wife her husband's family name
        given_text = self.write_name(p.given, clerk)
        family_text = self.write_name(family, clerk)
        if r.random() < clerk.swap:
            given_text, family_text = family_text, given_text
        father = self.write_name(p.father, clerk) if r.random() > clerk.no_father else ""
        mother = ""
        if p.mother_given and r.random() > 0.2:
            mother = self.write_name(p.mother_given, clerk)
            if r.random() < 0.4:
                mother += " " + self.write_name(p.mother_family, clerk)
        doc = p.document if p.document and r.random() < 0.6 else ""
        if doc and r.random() < 0.02:
            doc = self._typo(doc, "english")
        sex = p.sex if r.random() > 0.02 else ""
        if sex and r.random() < clerk.sex_slip:
            sex = "f" if sex == "m" else "m"
        values = {
            "record_id": f"R{self.rid:08d}",
            "household_ref": household_ref,
            "given_name": given_text,
            "father_name": father,
            "family_name": family_text,
            "mother_name": mother,
            "sex": sex,
            "birth_date": self.write_date(p, clerk),
            "origin": self.write_place(p.origin, clerk),
            "document_number": doc,
            "site": clerk.site,
        }
        return [values[c] for c in EXCHANGE_COLUMNS]

    def registrations(self, members: list[Person]):
        """Yield (row, person_id) for every registration of one household."""
        r = self.rng
        n_reg = r.choices([1, 2, 3, 4], weights=[30, 35, 25, 10])[0]
        stages = [
            ("hmeimim", ["arabic", "english"], [75, 25]),
            ("transit", ["french", "english", "scholarly"], [40, 40, 20]),
            (r.choice(["perm", "kazan", "rostov"]), ["russian", "english"], [85, 15]),
            (r.choice(["perm", "moscow"]), ["russian", "arabic", "english"], [60, 20, 20]),
        ]
        for stage in range(n_reg):
            site, schemes, weights = stages[stage]
            clerk = self.clerk(site, schemes, weights)
            self.hh += 1
            ref = f"{site[:3].upper()}-{self.hh:07d}"
            for i, p in enumerate(members):
                if stage > 0 and i > 0 and r.random() < 0.1:
                    continue  # not present at this registration
                yield self.registration(p, clerk, ref), p.pid


def generate(n: int, seed: int, out_prefix: str | Path) -> None:
    """Write about `n` registrations to OUT.csv and the truth to OUT.truth.csv, streaming."""
    out_prefix = Path(out_prefix)
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed)
    written = 0
    with (
        open(f"{out_prefix}.csv", "w", newline="", encoding="utf-8") as fh,
        open(f"{out_prefix}.truth.csv", "w", newline="", encoding="utf-8") as th,
    ):
        rows, truth = csv.writer(fh), csv.writer(th)
        rows.writerow(EXCHANGE_COLUMNS)
        truth.writerow(("record_id", "person_id"))
        while written < n:
            for row, pid in gen.registrations(gen.household()):
                if written >= n:
                    break
                rows.writerow(row)
                truth.writerow((row[0], pid))
                written += 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="output prefix (without .csv)")
    args = parser.parse_args(argv)
    generate(args.n, args.seed, args.out)


if __name__ == "__main__":
    main()
