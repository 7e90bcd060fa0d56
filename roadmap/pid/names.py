"""People's names, where the text puts a patient.

A name needs no list of names: it is a run of capitalised words, and what decides is where it
sits. A titled name (Mr, Mrs, Ms, Miss, Mx) is a patient's unless a clinical role stands beside
it ("Mr Davies, the orthopaedic consultant"). "Dr" and "Prof" names are clinicians: rule D9 is
about patients, and reflections name supervisors and colleagues all the time ("discussed with
Dr Patel, my supervisor"). A name without a title is flagged only where a patient would be:
after "saw", "seen", "patient", "pt", "called", "lady", "gentleman"; before an age ("Margaret
Hill, 67"), a date of birth or an NHS number; or when the same surname has a title elsewhere
in the text ("... later Mrs Hill said").

A name is never flagged where the text puts a clinician (issue 22's attack: "Observed by Tom
Hughes, I saw a gentleman" flagged the supervisor): after "observed/supervised/assessed/watched
by", "jointly with", "my supervisor" or a role word ("physio", "GP", "colleague"), or before
"watched", "observed", "supervised" and the like. Nor is a name the caller knows is staff around
this portfolio (`known`: the candidate, their supervisors and assessors, as full names).
"""
from __future__ import annotations

import bisect
import re
from typing import Iterable, Iterator

from roadmap.pid.finding import Finding, after, before

_WORD = r"(?:[A-Z]['’][A-Z][a-z]+|[A-Z][a-z]+(?:[A-Z][a-z]+)?)(?:-[A-Z][a-z]+)?"
_END = r"(?=['’]s\b|[^\w'’-]|$)"  # the end of a word, a possessive "'s" allowed
_TOKEN = r"(?:" + _WORD + r"|[A-Z]\.?)" + _END
_RUN = re.compile(r"(?<![\w'’.-])" + _TOKEN + r"(?: " + _TOKEN + r"){0,5}")
_TITLED = re.compile(r"(?<![\w'’-])(Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\b\.? ((?:(?:[A-Z]\.? )?" + _WORD
                     + r" ){0,2}(?:[A-Z]\.? )?" + _WORD + r"|[A-Z](?=[,.;:)]?\s))" + _END)
_CLINICIAN_TITLES = {"Dr", "Prof"}
_ROLE = (r"(?:consultant|surgeon|registrar|supervisor|physio(?:therapist)?|gp|colleague|lead|"
         r"nurse|pharmacist|trainer|radiologist|rheumatolog(?:ist|y)|orthopaedics?|clinician|"
         r"doctor|practitioner|podiatrist|fcp|mentor|manager|partner|team)")
# Titles in capitals, as referral headers write them ("MRS PATEL", "MR JOHN DAVIES"): only with
# a surname in capitals too, and not the scans and conditions the same letters name ("MR SCAN",
# "MS FLARE").
_TITLED_CAPS = re.compile(r"(?<![\w'’-])(MRS|MR|MS|MISS|MX|Mrs|Mr|Ms|Miss|Mx)\.? "
                          r"((?:[A-Z][A-Z'’-]+ ){0,2}[A-Z][A-Z'’-]+)(?![\w'’-])")
_NOT_SURNAME = set("""
SCAN SCANS IMAGING ARTHROGRAM ANGIOGRAM ANGIOGRAPHY REPORT REPORTS KNEE SHOULDER SPINE LUMBAR
CERVICAL THORACIC HIP BRAIN HEAD NECK WRIST ANKLE PELVIS FLARE RELAPSE DIAGNOSIS NHS GP MSK
OF OR AND THE WITH FOR SHOWED SHOWS CONFIRMED REQUESTED ORDERED
""".split())
_ROLE_BEFORE = re.compile(r"\b" + _ROLE + r"\b[\s,:]{0,3}$", re.IGNORECASE)
_ROLE_AFTER = re.compile(r"^\s?(?:,|\(|-|–)\s?(?:the |my |our |a |an )?(?:[\w-]+ ){0,2}" + _ROLE
                         + r"\b", re.IGNORECASE)
# Where the text puts a clinician rather than a patient ("Observed by Tom Hughes", "jointly with
# Aisha Khan", "my supervisor Owen Price", "Physio Dan Whitfield", "GP Hannah Reid").
_CLINICIAN = (r"(?:consultant|surgeon|registrar|supervisor|physio(?:therapist)?|gp|colleague|nurse|"
              r"pharmacist|trainer|doctor|practitioner|podiatrist|fcp|mentor|assessor|clinician|"
              r"radiologist|osteopath|chiropractor|sonographer|educator|tutor)")
_CLINICIAN_BEFORE = re.compile(
    r"(?:\b(?:observed|supervised|assessed|watched|signed\s+off|taught|mentored|accompanied|"
    r"supported|shadowed|joined|countersigned|checked|reviewed\s+with\s+me)\s+by|\bjointly\s+with|"
    r"\bshadow(?:ed|ing)|\b" + _CLINICIAN + r"s?)[\s,:]{0,3}$", re.IGNORECASE)
_CLINICIAN_AFTER = re.compile(
    r"^,?\s(?:watched|observed|supervised|assessed\s+(?:me|my)|signed\s+(?:off|me|my)|sat\s+in|"
    r"joined\s+(?:me|us|the\s+clinic)|demonstrated|taught|countersigned|shadowed|"
    r"gave\s+(?:me\s+)?(?:feedback|a\s+second\s+opinion|advice))\b", re.IGNORECASE)


def _clinician(text: str, start: int, end: int) -> bool:
    """Whether the text puts a clinician at this name, by a role or what they did."""
    lead, tail = before(text, start, NEAR), after(text, end, NEAR)
    return bool(_ROLE_BEFORE.search(lead) or _ROLE_AFTER.search(tail)
                or _CLINICIAN_BEFORE.search(lead) or _CLINICIAN_AFTER.search(tail))


# Cues strong enough for a first name alone ("I told Terry", "Gordon, a retired miner, ...")
_CUE_BEFORE = re.compile(
    r"\b(?:saw|seen|seeing|patient|pt|called|named|reviewed|review\s+of|assessed|examined|"
    r"injected|treated|told|rang|phoned|consultation\s+with|letter\s+for|explained\s+to|"
    r"reassured|lady|gentleman|man|"
    r"woman|mr\s+and\s+mrs|thank(?:s|\s+you)\s+from|\d{3}[ -]?\d{3}[ -]?\d{4}\s+(?:for|of))\b\W{0,3}$",
    re.IGNORECASE)
# "(2 of 3)" after a heading's name is a count, not an age.
_AGE_AFTER = (r"\s?[,(]\s?(?:aged?\s)?\d{1,3}\b(?![-–]\d)(?!\s?(?:mg|ml|%|/|of\b|weeks?|days?|months?|"
              r"years?\b(?!\s?old)))"
              r"|\s\d{1,3}\s?(?:yo|y/o|years?\s+old|yrs?|[MF])\b"
              r"|\s[-–]\s\d{1,3}\s[-–,]"
              r"|,?\s(?:aged?|who\s+is)\s\d{1,3}\b(?!\s?(?:minutes?|mins?|miles?|hours?|km|%))")
_CUE_AFTER_ONE = re.compile(
    r"^(?:" + _AGE_AFTER + r"|,\s(?:a\s)?retired\b"
    r"|,\s(?:the|a|an|our|my)\s(?:patient|lady|gentleman|man|woman)\b"
    r"|['’]s\s(?:daughter|son|wife|husband|partner|carer|mother|father|mum|dad|family|knee|"
    r"shoulder|back|hip|neck|wrist|ankle|pain|case|scan|x-ray|mri|bloods|referral|injection|"
    r"symptoms|gp|nhs|dob|date\s+of\s+birth|address|postcode|phone|mobile|email|notes|records|"
    r"details|hospital\s+number)\b"
    r"|[\s,(]{1,3}(?:dob|d\.o\.b|born|date\s+of\s+birth|nhs\s?(?:no\b|number|:|\d)))",
    re.IGNORECASE)
# What a patient does in a reflection: for a full name, enough on its own ("Alan Pearson had
# cauda equina symptoms"); a clinician in the same place usually has a role beside the name.
_CUE_AFTER = re.compile(
    r"^,?\s(?:was\s+(?:seen|referred|worried|unhappy|upset|tearful|discharged|admitted|"
    r"struggling|keen|pleased|reluctant|anxious)|came\s+in|attended|registered\s+with|"
    r"presented(?!\s+(?:the|an?|our|my|his|her|their|at|to)\b)|"
    r"lives\b|had\b|has\b|wanted|wants|told\s+me|asked\s+(?:me|whether|if|for|about)|said|"
    r"felt|feels|reported|described|complained|rang|phoned|missed|needed|struggled|became|"
    r"seemed|cried|refused|declined|DNA"
    # A bare age after a full name, as notes and file names write it ("Margaret Hill 67 knee
    # pain", "Margaret_Hill_67.pdf"), not a count or a measure ("Sarah Lewis 12 minutes late").
    r"|\d{2}\b(?![.,:/-]\d)(?!\s?(?:mg|ml|%|/|of\b|weeks?|days?|months?|years?\b(?!\s?old)|"
    r"minutes?|mins?|hours?|hrs?|am\b|pm\b|cm|mm|kg|patients?|cases?|times?|sessions?|points?|"
    r"miles?|items?|people|clinics?)))",
    re.IGNORECASE)
_CUE_NEAR = re.compile(r"\b(?:lady|gentleman|year-old)\b", re.IGNORECASE)
NEAR = 40  # characters either side of a name, within its sentence

# Capitalised words that start sentences or name things, never a patient: a run made only of
# these is not a name, and a run holding an organisation's word is an organisation.
_COMMON = set("""
The This That These Those Today Yesterday Tomorrow She He Her His Him Their They We Our My
Your It Its I A An And But Or So Then Later After Before When While During On In At Of For
From With Without To By As If Saw Seen See Seeing Patient Patients Pt Lady Gentleman Man Woman
Mr Mrs Ms Miss Mx Dr Prof Called Named Telephone Referral Reflection Case Contact Address Home
Date Safeguarding Supervision Feedback Audit Learning Peer Stage Completed Attended Used
Discussed Reviewed Started Treated Tried Helped Observed Consulted Looked Please Lives Aged
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
Physio Physiotherapist Colleague Consultant Nurse Supervisor Trainer Registrar Surgeon Mentor
Assessor Pharmacist Doctor Podiatrist Clinician Observed Supervised Assessed Watched Jointly
Red Flag Flags Score Scale Index Test Tool Rule Rules Protocol Questionnaire Oxford Knee Shoulder
Back Hip Neck Spine Achilles Canadian Ottawa Polish Giant Multidisciplinary Health Education
Reported Outcome Outcomes Measure Measures Experience
""".split())
_ORGANISATION = set("""
Hospital Hospitals Surgery Practice Practices Infirmary Clinic Centre Trust Foundation England
College Royal University School Board Council Service Services Team Network Hub Medical
Practitioners Group Unit Ward Department Pathway Street Road Avenue Lane Close Drive Way
Healthcare Community Partnership Care Commissioning Board ICB Integrated System
""".split())


def _titled_matches(text: str) -> Iterator[re.Match[str]]:
    """Every titled name, in text order: "Mrs Hill" and "MRS PATEL" alike."""
    caps = [match for match in _TITLED_CAPS.finditer(text)
            if match.group(2).split()[0] not in _NOT_SURNAME]
    yield from sorted([*_TITLED.finditer(text), *caps], key=lambda match: match.start())


def _titled(text: str) -> Iterator[tuple[Finding, str]]:
    """Titled names that are patients' (not a clinician's), with their surname."""
    for match in _titled_matches(text):
        title, words = match.group(1), match.group(2).split()
        if title in _CLINICIAN_TITLES or words[-1] in _ORGANISATION:
            continue
        if _clinician(text, match.start(), match.end()):
            continue
        yield Finding("name", match.start(), match.end(), match.group(0)), words[-1].title()


def _candidates(text: str) -> Iterator[tuple[int, int]]:
    """Spans of two or three capitalised words (or an initial and a surname) that could be a name."""
    for match in _RUN.finditer(text):
        tokens = match.group(0).split(" ")
        if any(token.rstrip(".") in _ORGANISATION for token in tokens):
            continue
        start = match.start()
        while tokens and tokens[0].rstrip(".") in _COMMON:
            start += len(tokens.pop(0)) + 1
        while tokens and tokens[-1].rstrip(".") in _COMMON:
            tokens.pop()
        if 1 <= len(tokens) <= 3 and len(tokens[-1]) > 1 and all(len(t.rstrip(".")) > 1 for t in tokens[1:]):
            yield start, start + len(" ".join(tokens))


def _placed(text: str, start: int, end: int, surnames: set[str]) -> bool:
    """Whether a name-shaped span sits where a patient would."""
    words = text[start:end].split()
    if _clinician(text, start, end):
        return False
    if words[-1] in surnames and len(words) > 1:
        return True
    lead, tail = before(text, start, NEAR), after(text, end, NEAR)
    if _CUE_BEFORE.search(lead) or _CUE_AFTER_ONE.search(tail):
        return True  # strong enough for a first name alone
    return len(words) > 1 and bool(_CUE_AFTER.search(tail) or _CUE_NEAR.search(lead)
                                   or _CUE_NEAR.search(tail))


_OLD_AFTER = re.compile(r"(?:\s?[,(]\s?|\s[-–]\s|,?\s(?:aged?|who\s+is)\s|\s)(9\d|1[01]\d)\b"
                        r"(?![.,:/-]\d)(?!\s?(?:mg|ml|%|/|minutes?|mins?|patients?|cases?|times?))")


def ages_after(text: str, name: Finding) -> Iterator[Finding]:
    """An age of 90 or over written just after a name ("Roy Kettlewell (94)", "Mr Ellis, 90")."""
    if match := _OLD_AFTER.match(text, name.end):
        yield Finding("age", match.start(1), match.end(1), match.group(1))


def _words(name: str) -> list[str]:
    """A name's words, compared without case, titles, initials or a possessive "'s"."""
    words = [re.sub(r"['’]s$", "", word.strip(".,")).lower() for word in name.split()]
    return [word for word in words if len(word) > 1 and word not in _TITLE_WORDS]


_TITLE_WORDS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof"}


def known_names(known: Iterable[str]) -> list[set[str]]:
    """Each known person's name words, for `is_known`."""
    return [words for name in known if (words := set(_words(name or "")))]


def is_known(name: str, known: list[set[str]]) -> bool:
    """Whether every word of a found name belongs to one person known to be staff ("Tom Hughes",
    "Mr Hughes" or "Hughes" for a supervisor Tom Hughes)."""
    words = set(_words(name))
    return bool(words) and any(words <= person for person in known)


def names(text: str, known: Iterable[str] = ()) -> Iterator[Finding]:
    """Patients' names: titled ones that are not clinicians', untitled ones placed as a patient's;
    none of the `known` people (full names of staff around the portfolio)."""
    people = known_names(known)
    titled = [(finding, surname) for finding, surname in _titled(text)
              if not is_known(finding.text, people)]
    surnames = {surname for _, surname in titled}
    covered = [(m.start(), m.end()) for m in _titled_matches(text)]
    covered = [span for at, span in enumerate(covered)  # in order, disjoint
               if at == 0 or span[0] >= covered[at - 1][1]]
    yield from (finding for finding, _ in titled)
    for start, end in _candidates(text):
        at = bisect.bisect_right(covered, (start, len(text)))
        if (at > 0 and covered[at - 1][1] > start) or (at < len(covered) and covered[at][0] < end):
            continue  # part of a titled name, kept or let go above
        if _placed(text, start, end, surnames) and not is_known(text[start:end], people):
            yield Finding("name", start, end, text[start:end])
