"""Write tests/data/pid_corpus.jsonl: synthetic FCP reflections with every patient identifier marked.

The texts were written before the scanner was tuned; nobody in them is real. Each template is a
sentence or two a first contact practitioner, supervisor or respondent might write, with slots:
a slot in the IDENTIFIERS table is marked (kind, start, end, text) in the output; every other
slot fills in things that identify nobody (clinicians in a team, doses, scores, training dates).
Templates under "held_out" draw from their own pools of names and places and are kept apart
(split "held_out"), so rules tuned on the "dev" split are checked on text they never saw. Both
were written by the author of the rules, which makes them easy for the rules: pid_field.txt
(split "field") holds texts written by hand, in freer styles (notes, MSF and PSQ comments,
eponyms such as "Baker's cyst"), without running the scanner on them; the scanner was then
tuned on them. pid_blind.txt (split "blind") was written after that tuning and committed before
the scanner first ran on it: its figures are the honest ones. pid_blind2.txt (split "blind2") is a
second such set in new styles, written without reading the rules or the earlier texts.
pid_attack.txt (split "attack") holds an outsider's attacks on the scanner (clinicians flagged
as patients, identifiers split by invisible spaces or dots, capitals, possessives), each fixed.

    .venv/bin/python tests/data/make_pid_corpus.py   # rewrites the file, same seed, same output

Rule D9 and clinicians: a clinician's name is not a patient's. "Dr" and "Prof" names, and a
Mr/Ms name with a clinical role beside it ("Mr Davies, the orthopaedic consultant"), are left
unmarked; Mr, Mrs, Ms, Miss and Mx names without such a role are marked as patients.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import nhs_number

OUT = Path(__file__).with_name("pid_corpus.jsonl")

POOLS = {
    "dev": {
        "first": ["Margaret", "John", "Priya", "Mohammed", "Siobhan", "Olufemi", "Agnieszka",
                  "Derek", "Wei", "Fatima", "Graham", "Kerry-Ann", "Aled", "Bethany", "Tomasz",
                  "Hannah", "Rajesh", "Eileen", "Connor", "Yusuf"],
        "surname": ["Hill", "Smith", "Okafor", "Kowalski", "Begum", "O'Neill", "Nguyen",
                    "Thompson", "Ahmed", "Price", "Fitzgerald", "Evans", "Hughes-Morgan",
                    "Mahmood", "Clarke", "Walsh", "Li", "Robertson"],
        "title": ["Mr", "Mrs", "Ms", "Miss", "Mr", "Mrs"],
        "place": ["Elmwood Surgery", "Ridgeway Medical Centre", "St Luke's Hospital",
                  "Harrogate District Hospital", "Parkside Health Centre",
                  "Moorview Practice", "Castle Street Surgery", "Royal Infirmary"],
        "street": ["Acacia Avenue", "Mill Lane", "Church Street", "Orchard Close",
                   "Station Road", "Beech Grove", "Victoria Terrace", "Kingsway"],
    },
    "held_out": {
        "first": ["Doreen", "Kwame", "Isla", "Pawel", "Nasreen", "Gareth", "Mei", "Oisin",
                  "Brenda", "Samir"],
        "surname": ["Bradshaw", "Mensah", "McAllister", "Nowak", "Hussain", "Pritchard",
                    "Chen", "Byrne", "Fairclough", "Haddad"],
        "title": ["Mr", "Mrs", "Miss", "Ms"],
        "place": ["Brookfield Surgery", "Whitehall Medical Practice", "St Anne's Hospital",
                  "Northgate Health Centre", "Queen Elizabeth Hospital"],
        "street": ["Laburnum Drive", "Chapel Walk", "Meadow Way", "High Street",
                   "Poplar Crescent", "Foundry Court"],
    },
}
POSTCODES = ["LS6 2QR", "M13 9PL", "SW1A 1AA", "B15 2TT", "NE1 4LP", "CF10 3AT", "EH8 9YL",
             "ls11 5dt", "BS81TH", "HG1 2SX", "S10 2JF", "L7 8XP", "G12 8QQ", "PL4 6AB"]
CLINICIANS = ["Dr Patel, my supervisor", "Dr Sarah Lewis (GP trainer)",
              "my clinical supervisor Dr Okoye", "Mr Davies, the orthopaedic consultant",
              "Prof Ramsay from the spinal team", "Dr. Helen Kirk", "our MSK lead Dr Ibrahim",
              "Ms Carter, the consultant physio", "Dr Mensah-Bonsu (rheumatology)",
              "the on-call registrar Dr Fox"]
COLLEAGUES = ["Sarah Lewis", "Tom Hardy", "Anita Desai", "Gwen Morris", "Chris Obi"]
DRUGS = ["40 mg triamcinolone with 4 ml 1% lidocaine", "naproxen 500 mg BD",
         "co-codamol 30/500 two QDS", "amitriptyline 10 mg at night", "prednisolone 30 mg OD",
         "80 mg methylprednisolone", "omeprazole 20 mg", "gabapentin 300 mg TDS"]
SCORES = ["SPADI 54", "NRS 7/10", "ODI 42%", "Oxford Knee Score 28/48", "STarT Back 6/9",
          "QuickDASH 61", "EQ-5D 0.62", "Oxford Shoulder Score 19", "PSFS 3.5", "NRS 2/10"]
TRAINING = ["14 March 2025", "03/02/2025", "2 October 2024", "12/11/2024", "21st January 2025",
            "9 June 2025", "2025-05-06"]
REGIONS = ["lumbar spine", "shoulder", "knee", "neck", "hip", "hand and wrist", "ankle",
           "thoracic spine"]


def _date(rng: random.Random, year_from: int, year_to: int) -> str:
    """A date written one of the ways people write dates in notes."""
    y, m, d = rng.randint(year_from, year_to), rng.randint(1, 12), rng.randint(1, 28)
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    return rng.choice([f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y % 100:02d}", f"{d} {months[m - 1]} {y}",
                       f"{d}{'th' if d not in (1, 2, 3, 21, 22, 23) else ['st', 'nd', 'rd'][d % 10 - 1]}"
                       f" {months[m - 1][:3]} {y}", f"{y}-{m:02d}-{d:02d}", f"{d}.{m}.{y}"])


def _nhs(rng: random.Random) -> str:
    while True:
        digits = str(rng.randint(400_000_000, 999_999_999))
        number = digits + str(nhs_number.calculate_checksum(digits))
        if nhs_number.is_valid(number):
            sep = rng.choice([" ", "", "-", " "])
            return f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"


def _phone(rng: random.Random) -> str:
    n = rng.randint(100, 999)
    return rng.choice([f"07700 900{n}", f"07700900{n}", f"0113 496 0{n}", f"+44 7700 900{n}",
                       f"(0161) 496 0{n}", f"020 7946 0{n}", f"01632 960{n}"])


def fill(template: str, pool: dict, rng: random.Random) -> tuple[str, list[dict]]:
    """The template with its slots filled, and the marked identifiers with their spans."""
    first, surname = rng.choice(pool["first"]), rng.choice(pool["surname"])
    title = rng.choice(pool["title"])
    email_user = rng.choice([f"{first}.{surname}", f"{first[0]}{surname}", f"{first}{rng.randint(1, 99)}"])
    email_user = re.sub(r"[^A-Za-z0-9.]", "", email_user).lower()
    values = {
        "NAME": ("name", f"{first} {surname}"),
        "INAME": ("name", rng.choice([f"{first[0]} {surname}", f"{first[0]}. {surname}"])),
        "TNAME": ("name", f"{title} {surname}"),
        "TFULL": ("name", f"{title} {first} {surname}"),
        "SURNAME": ("name", surname),
        "OLDAGE": ("age", str(rng.randint(90, 103))),
        "NHS": ("nhs_number", _nhs(rng)),
        "DOB": ("date_of_birth", _date(rng, 1930, 2004)),
        "PDATE": ("date", _date(rng, 2024, 2025)),
        "POSTCODE": ("postcode", rng.choice(POSTCODES)),
        "PHONE": ("phone", _phone(rng)),
        "EMAIL": ("email", f"{email_user}@{rng.choice(['gmail.com', 'hotmail.co.uk', 'btinternet.com', 'yahoo.com'])}"),
        "ADDRESS": ("address", f"{rng.choice(['', '', 'Flat 2, '])}{rng.randint(1, 140)} "
                               f"{rng.choice(pool['street'])}"),
        "PLACE": ("place", rng.choice(pool["place"])),
        "AGE": (None, str(rng.randint(19, 88))),
        "WORKPLACE": (None, rng.choice(pool["place"])),
        "CLIN": (None, rng.choice(CLINICIANS)),
        "COLLEAGUE": (None, rng.choice(COLLEAGUES)),
        "DRUG": (None, rng.choice(DRUGS)),
        "SCORE": (None, rng.choice(SCORES)),
        "SCORE2": (None, rng.choice(SCORES)),
        "TDATE": (None, rng.choice(TRAINING)),
        "REGION": (None, rng.choice(REGIONS)),
        "WEEKS": (None, str(rng.randint(2, 26))),
    }
    text, marks, position = "", [], 0
    for match in re.finditer(r"<([A-Z0-9]+)>", template):
        text += template[position:match.start()]
        kind, value = values[match.group(1)]
        if kind:
            marks.append({"kind": kind, "start": len(text), "end": len(text) + len(value),
                          "text": value})
        text += value
        position = match.end()
    return text + template[position:], marks


def load_templates() -> dict[str, list[str]]:
    """The templates by split, from pid_templates.txt beside this file (a line each)."""
    split, templates = None, {"dev": [], "held_out": []}
    for line in Path(__file__).with_name("pid_templates.txt").read_text().splitlines():
        if line.startswith("## "):
            split = line[3:].strip().removesuffix("-clean")
        elif line.strip() and not line.startswith("#"):
            templates[split].append(line.strip())
    return templates


_MARK = re.compile(r"\[\[(\w+)\|([^\]]+)\]\]")
# Invisible characters the attack split hides identifiers with, written visibly in its file.
_INVISIBLE = {"{NBSP}": "\u00a0", "{THIN}": "\u2009", "{NNBSP}": "\u202f", "{TAB}": "\t",
              "{NL}": "\n", "{RLO}": "\u202e", "{PDF}": "\u202c"}


def hand_rows(split: str) -> list[dict]:
    """The hand-written texts of pid_<split>.txt, their [[kind|text]] marks turned into spans."""
    rows = []
    for line in Path(__file__).with_name(f"pid_{split}.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        for shown, character in _INVISIBLE.items():
            line = line.replace(shown, character)
        text, marks, position = "", [], 0
        for match in _MARK.finditer(line):
            text += line[position:match.start()]
            marks.append({"kind": match.group(1), "start": len(text),
                          "end": len(text) + len(match.group(2)), "text": match.group(2)})
            text += match.group(2)
            position = match.end()
        rows.append({"id": f"{split}-{len(rows):03d}", "split": split,
                     "text": text + line[position:], "identifiers": marks})
    return rows


def build() -> list[dict]:
    """Every row of the corpus, in file order: the same each time (a fixed seed)."""
    rng = random.Random(22)
    rows, seen = [], set()
    for split, templates in load_templates().items():
        for number, template in enumerate(templates):
            for _ in range(3 if split == "dev" else 2):
                text, marks = fill(template, POOLS[split], rng)
                if text not in seen:
                    seen.add(text)
                    rows.append({"id": f"{split}-{number:03d}-{len(rows):03d}", "split": split,
                                 "text": text, "identifiers": marks})
    return rows + hand_rows("field") + hand_rows("blind") + hand_rows("blind2") + hand_rows("attack")


def main() -> None:
    rows = build()
    with OUT.open("w") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    clean = sum(not row["identifiers"] for row in rows)
    print(f"{len(rows)} texts ({clean} clean) written to {OUT}")


if __name__ == "__main__":
    main()
