"""The people of the demo and where each candidate is: seed 002's pilot as it would run today.

Three training hubs in one integrated care system (the pilot's BOB ICS had three), an education
provider with its reviewers and an educational supervisor, GP supervisors and AHP supervision
fellows, and candidates at every point of the journey. Only physiotherapists and osteopaths:
the MSK roadmap is theirs. Days are counted back from the day the demo runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

REGION = "Buckinghamshire, Oxfordshire and Berkshire West ICS"
REGION_TARGET = 50  # Stage 2 sign-offs a year across its hubs (seed 002)
EMPLOYERS = ("Chiltern FCP Partners (demo)", "Kennet MSK Services (demo)")
PROVIDER = "Cherwell University (demo)"
SETUP_DAYS_AGO = 250  # the administrator sets up the hubs and the provider; the story begins


@dataclass(frozen=True)
class Person:
    """A demo account, and what the login table says about it."""

    email: str
    full_name: str
    roles: tuple[str, ...]
    profession: Optional[str] = None
    registration_body: Optional[str] = None
    registration_number: Optional[str] = None
    category: Optional[str] = None  # a supervisor's: gp or ahp_fellow
    fte: Optional[float] = None
    capacity: str = ""  # in words, for the login table


@dataclass(frozen=True)
class Hub:
    """A training hub with its lead, its yearly Stage 2 target and its cohort."""

    name: str
    lead: str  # the lead's email
    target: int
    cohort: str
    cohort_starts: int  # days ago


ADMIN = Person("admin@example.nhs.uk", "Roadmap Administrator", ("admin",),
               capacity="administrator")
LEADS = (
    Person("hub@example.nhs.uk", "Sarah Bennett", ("hub_lead",), "Training hub lead"),
    Person("hub2@example.nhs.uk", "James Whitfield", ("hub_lead",), "Training hub lead"),
    Person("hub3@example.nhs.uk", "Fiona Grant", ("hub_lead",), "Training hub lead"),
)
# The region's 50 sign-offs a year (seed 002), shared by its hubs.
HUBS = (
    Hub("Thames Valley Training Hub (demo)", LEADS[0].email, 24,
        "FCP Roadmap cohort, spring 2026", 240),
    Hub("Buckinghamshire Training Hub (demo)", LEADS[1].email, 13,
        "FCP Roadmap cohort, summer 2026", 150),
    Hub("Berkshire West Training Hub (demo)", LEADS[2].email, 13,
        "FCP Roadmap cohort, autumn 2026", 75),
)
SUPERVISORS = (
    Person("supervisor1@example.nhs.uk", "Dr Priya Shah", ("supervisor",), "General practitioner",
           "GMC", "7012345", "gp", 1.0),
    Person("supervisor2@example.nhs.uk", "Dr Ben Osei", ("supervisor",), "General practitioner",
           "GMC", "7098812", "gp", 1.0),
    Person("fellow1@example.nhs.uk", "Tom Hughes", ("supervisor",), "Physiotherapist",
           "HCPC", "PH104512", "ahp_fellow", 0.6),
    Person("fellow2@example.nhs.uk", "Aisha Khan", ("supervisor",), "Physiotherapist",
           "HCPC", "PH098877", "ahp_fellow", 0.4),
    Person("fellow3@example.nhs.uk", "Laura Mitchell", ("supervisor",), "Osteopath",
           "GOsC", "6120", "ahp_fellow", 0.75),
)
CATEGORIES = {"gp": "GP supervisor", "ahp_fellow": "AHP supervision fellow"}
# The education provider's people: two reviewers (the audit sample's second review is made by
# another person) and the educational supervisor, who reads and reviews progress, signs nothing.
REVIEWERS = (
    Person("provider@example.ac.uk", "Ruth Adeyemi", ("provider_reviewer",),
           capacity=f"education provider reviewer, {PROVIDER}"),
    Person("provider2@example.ac.uk", "Martin Kowalski", ("provider_reviewer",),
           capacity=f"education provider reviewer, {PROVIDER} (audit sample's second review)"),
)
EDUCATIONAL = Person("edsup@example.ac.uk", "Dr Eleanor Marsh", ("supervisor",), "Physiotherapist",
                     "HCPC", "PH087340",
                     capacity=f"educational supervisor, {PROVIDER}: progress reviews, signs nothing")

# The regional lead compares the three hubs: counts only, never a name or a word written.
REGIONAL_LEAD = Person("region@example.nhs.uk", "Nadia Rahman", ("regional_lead",),
                       capacity=f"regional lead, {REGION}: the three hubs' figures")


@dataclass(frozen=True)
class Plan:
    """A candidate: who they are, their team, and how far the story takes them.

    `stage2` names how Stage 2 stands when the story ends: open (in progress), ready (every
    gate met, declarations not signed), candidate_signed, provider (waiting for the education
    provider), second_review, referred or complete. Supervisors are emails; None: no backup.
    """

    person: Person
    hub: int
    enrolled: int  # days ago
    primary: str
    backup: Optional[str]
    employer: int
    where: str  # in words, for the login table
    provider: bool = True
    lna: Optional[str] = "confirmed"  # None, draft, sent or confirmed
    credits: tuple[str, ...] = ()  # Stage 1 e-learning the analysis credits
    route: str = "portfolio"
    stage1: Optional[int] = None  # days ago Stage 1 was signed off; None: not yet
    stage1_waits: bool = False  # the candidate signed Stage 1; the supervisor has not
    stage2: str = "open"
    items: int = 0  # Stage 2 items, when it is not a full portfolio
    last: int = 1  # days ago of the candidate's last activity
    over_capacity: bool = False  # the hub lead confirms the primary's overload
    all_kinds: bool = False  # every kind of evidence, tickets, a dispute: the rich portfolio
    declared: Optional[int] = None  # days ago the candidate signed the Stage 2 declarations
    signed_off: Optional[int] = None  # days ago a supervisor signed Stage 2 off
    decided: Optional[int] = None  # days ago the education provider decided
    reviews: tuple[tuple[int, str], ...] = ()  # progress reviews: (days ago, how it went)


def _candidate(n: int, name: str, profession: str, number: str) -> Person:
    body = "GOsC" if profession == "Osteopath" else "HCPC"
    return Person(f"candidate{n}@example.nhs.uk", name, ("candidate",), profession, body, number)


PHYSIO, OSTEO = "Physiotherapist", "Osteopath"
S1, S2 = SUPERVISORS[0].email, SUPERVISORS[1].email
F1, F2, F3 = (p.email for p in SUPERVISORS[2:])
PLANS = (
    Plan(_candidate(1, "Jamie Patel", PHYSIO, "PH112233"), 0, 235, S1, F1, 0,
         "Stage 2 in progress: every kind of evidence", stage1=205, all_kinds=True, last=2,
         reviews=((120, "on_track"),)),
    Plan(_candidate(2, "Olivia Carter", PHYSIO, "PH120045"), 0, 240, S1, F1, 0,
         "Stage 2 signed off: the backup acted for the primary, the provider approved",
         stage1=214, stage2="complete", declared=72, signed_off=70, decided=63, last=63),
    Plan(_candidate(3, "Mohammed Ali", PHYSIO, "PH131178"), 0, 230, F1, S1, 0,
         "Stage 2 signed off by the supervisor, waiting for the education provider",
         stage1=200, stage2="provider", declared=12, signed_off=10, last=10,
         reviews=((100, "on_track"),)),
    Plan(_candidate(4, "Grace O'Neill", OSTEO, "8123"), 0, 225, S1, F2, 1,
         "ready: every gate met, Stage 2 declarations not yet signed", stage1=198,
         stage2="ready", last=3),
    Plan(_candidate(5, "Daniel Evans", PHYSIO, "PH045671"), 0, 20, S1, F3, 1,
         "early: Stage 1, no education provider named yet", provider=False, lna=None, items=0),
    Plan(_candidate(6, "Hannah Wright", PHYSIO, "PH140920"), 0, 215, F2, F3, 0,
         "learning needs analysis credited part of Stage 1; Stage 2 in progress",
         credits=("pci_shared_decision_making", "pci_supported_self_management"), stage1=190,
         items=12, last=6),
    Plan(_candidate(7, "Samuel Okafor", OSTEO, "9204"), 0, 235, F1, F2, 1,
         "Stage 2 referred back by the education provider", stage1=205, stage2="referred",
         declared=40, signed_off=38, decided=30, last=18, reviews=((25, "some_concerns"),)),
    Plan(_candidate(8, "Emily Clarke", PHYSIO, "PH151102"), 0, 228, F3, S1, 1,
         "Stage 2 declarations signed, waiting for the supervisor's sign-off", stage1=200,
         stage2="candidate_signed", declared=4, last=4),
    Plan(_candidate(9, "Ryan Murphy", PHYSIO, "PH160047"), 0, 60, S2, None, 0,
         "no backup supervisor; Stage 2 started", stage1=35, items=6, last=5),
    Plan(_candidate(10, "Chloe Thompson", PHYSIO, "PH171190"), 0, 245, S2, None, 1,
         "stalled and over the target date, no backup supervisor", lna=None, stage1=215,
         items=10, last=50, reviews=((45, "significant_concerns"),)),
    Plan(_candidate(11, "Kiran Desai", PHYSIO, "PH182204"), 1, 150, F3, F2, 0,
         "approved by the provider, sampled for audit: waiting for the second review",
         credits=("pci_social_prescribing",), stage1=128, stage2="second_review", declared=20,
         signed_off=18, decided=11, last=18),
    Plan(_candidate(12, "Sophie Walsh", PHYSIO, "PH190388"), 1, 140, S2, S1, 1,
         "taught route; Stage 2 in progress, feedback round open", route="taught", stage1=110,
         items=10, last=3, reviews=((40, "on_track"),)),
    Plan(_candidate(13, "Adam Brooks", OSTEO, "9871"), 1, 45, S1, F1, 0,
         "Stage 1 declarations signed, waiting for the supervisor", stage1_waits=True, last=8),
    Plan(_candidate(14, "Megan Lloyd", PHYSIO, "PH201577"), 2, 75, F1, F3, 1,
         "Stage 1 met by earlier study (learning needs analysis); Stage 2 started",
         credits=("pci_shared_decision_making", "pci_care_and_support_planning",
                  "pci_social_prescribing", "pci_supported_self_management"),
         stage1=60, items=8, last=2, over_capacity=True),
    Plan(_candidate(15, "Yusuf Rahman", OSTEO, "10432"), 2, 70, S2, F1, 0,
         "learning needs analysis sent, waiting for the provider to confirm", lna="sent", last=9),
    Plan(_candidate(16, "Ellen Fraser", PHYSIO, "PH210066"), 2, 14, F3, F2, 1,
         "just enrolled: learning needs analysis begun", lna="draft", last=13),
)
CANDIDATES = tuple(plan.person for plan in PLANS)
EVERYONE = (ADMIN, REGIONAL_LEAD, *LEADS, *SUPERVISORS, EDUCATIONAL, *REVIEWERS, *CANDIDATES)
