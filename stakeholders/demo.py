"""Fictional, deterministic stakeholders for the demo and the benchmark (bulk inserts).

Organization and person names are invented; towns are real (DOMAIN.md, Demo data). The same seed
gives the same data, and a second run adds only what is missing (matched by registration number
and by e-mail), so nothing is duplicated.
"""

import random

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from stakeholders.choices import AeoStatus, OfficeKind, OrganizationType, Sector, Size, Stance
from stakeholders.models import Contact, CustomsOffice, Organization, Region, Tag
from stakeholders.normalize import name_key

# region → (towns, customs offices with their kind)
GEOGRAPHY = {
    "Bamako": (
        ["Bamako"],
        [("Bamako headquarters", OfficeKind.HEADQUARTERS), ("Bamako-Sénou airport", OfficeKind.AIRPORT)],
    ),
    "Kayes": (
        ["Kayes", "Diboli"],
        [
            ("Kayes regional directorate", OfficeKind.REGIONAL_DIRECTORATE),
            ("Diboli border post", OfficeKind.BORDER_POST),
        ],
    ),
    "Sikasso": (
        ["Sikasso", "Zégoua"],
        [
            ("Sikasso regional directorate", OfficeKind.REGIONAL_DIRECTORATE),
            ("Zégoua border post", OfficeKind.BORDER_POST),
        ],
    ),
    "Niamey": (
        ["Niamey"],
        [("Niamey headquarters", OfficeKind.HEADQUARTERS), ("Niamey dry port", OfficeKind.DRY_PORT)],
    ),
    "Dosso": (["Dosso", "Gaya"], [("Gaya border post", OfficeKind.BORDER_POST)]),
    "Maradi": (["Maradi"], [("Maradi regional directorate", OfficeKind.REGIONAL_DIRECTORATE)]),
    "Dakar": (["Dakar"], [("Dakar port", OfficeKind.SEAPORT), ("Dakar headquarters", OfficeKind.HEADQUARTERS)]),
    "Thiès": (["Thiès"], [("Thiès regional directorate", OfficeKind.REGIONAL_DIRECTORATE)]),
    "Kaolack": (["Kaolack"], [("Kaolack regional directorate", OfficeKind.REGIONAL_DIRECTORATE)]),
    "Tambacounda": (["Kidira", "Tambacounda"], [("Kidira border post", OfficeKind.BORDER_POST)]),
    "Port Louis": (["Port Louis"], [("Port Louis seaport", OfficeKind.SEAPORT)]),
}
TAGS = ["AEO pilot", "Dakar–Bamako corridor", "women traders", "consultative committee", "CIPS 2024", "integrity pact"]
PREFIXES = [
    "Trans",
    "Groupe",
    "Société",
    "Comptoir",
    "Union",
    "Logistique",
    "Entreprise",
    "Établissements",
    "Transit",
    "Compagnie",
]
ROOTS = [
    "Sahel",
    "Niger",
    "Bani",
    "Baobab",
    "Karité",
    "Djoliba",
    "Falémé",
    "Ténéré",
    "Aïr",
    "Saloum",
    "Kapok",
    "Néré",
    "Wassoulou",
    "Liptako",
    "Casamance",
    "Fleuve",
    "Acacia",
    "Tamarin",
    "Kéniéba",
    "Sénégal",
]
SUFFIXES = ["SARL", "SA", "Logistics", "Import-Export", "& Fils", "Négoce", "Cargo", "Services", "SUARL", "Ltd"]
FIRST_NAMES = [
    "Aminata",
    "Moussa",
    "Fatoumata",
    "Ibrahim",
    "Awa",
    "Oumar",
    "Mariam",
    "Seydou",
    "Kadiatou",
    "Abdoulaye",
    "Aïssata",
    "Boubacar",
    "Ramatou",
    "Souleymane",
    "Hawa",
    "Issa",
    "Ndeye",
    "Cheikh",
    "Salamatou",
    "Mamadou",
]
LAST_NAMES = [
    "Traoréla",
    "Diallobé",
    "Koné-Sy",
    "Sissokara",
    "Ndiayefall",
    "Maïgana",
    "Diabaté-Sow",
    "Kanoutéba",
    "Boubacarou",
    "Sangaréba",
    "Toureya",
    "Camarasso",
    "Ouédrana",
    "Mahamane-Ka",
    "Seckou",
    "Dembélako",
]
JOBS = [
    "Directeur général",
    "Operations manager",
    "Responsable conformité",
    "Customs declarant",
    "Finance director",
    "Chargée des relations publiques",
    "Transit manager",
    "Président",
]
WEIGHTED_TYPES = (
    [OrganizationType.CUSTOMS_BROKER] * 4
    + [OrganizationType.FREIGHT_FORWARDER] * 4
    + [OrganizationType.IMPORTER] * 3
    + [OrganizationType.EXPORTER] * 2
    + [OrganizationType.CARRIER] * 2
    + list(OrganizationType)
)


def _regions_offices_tags():
    regions = {}
    for name, (_towns, offices) in GEOGRAPHY.items():
        region = Region.objects.filter(name=name).first() or Region(name=name)
        if region.pk is None:
            region.save()
        regions[name] = region
        for office_name, kind in offices:
            CustomsOffice.objects.get_or_create(name=office_name, defaults={"kind": kind, "region": region})
    tags = []
    for name in TAGS:
        tag = Tag.objects.filter(name=name).first() or Tag(name=name)
        if tag.pk is None:
            tag.save()
        tags.append(tag)
    offices = {office.region_id: [] for office in CustomsOffice.objects.all()}
    for office in CustomsOffice.objects.all():
        offices[office.region_id].append(office)
    return regions, offices, tags


def demo_name(index: int) -> str:
    """Distinct names: 2 000 combinations, then numbered ("Trans Sahel SARL 2")."""
    combo = index % 2000
    name = f"{PREFIXES[combo % 10]} {ROOTS[(combo // 10) % 20]} {SUFFIXES[(combo // 200) % 10]}"
    return name if index < 2000 else f"{name} {index // 2000 + 1}"


def registration_number(index: int) -> str:
    return f"DEMO-{index:07d}"


@transaction.atomic
def seed_stakeholders(*, organizations: int, contacts_per_org: int, seed: int, owners: list) -> tuple[int, int]:
    """Create the first `organizations` demo organizations and their contacts; return how many were added."""
    rng = random.Random(seed)
    regions, offices, tags = _regions_offices_tags()
    region_names = list(GEOGRAPHY)
    existing = set(
        Organization.objects.filter(registration_number__startswith="DEMO-").values_list(
            "registration_number", flat=True
        )
    )
    new_orgs, tag_links, people = [], [], []
    for index in range(organizations):
        # Every value comes from the generator in the same order whether or not the row exists, so
        # a row's content depends only on the seed and its index.
        region_name = rng.choice(region_names)
        towns, _offices = GEOGRAPHY[region_name]
        name = demo_name(index)
        values = {
            "type": rng.choice(WEIGHTED_TYPES),
            "sector": rng.choice(Sector.values),
            "city": rng.choice(towns),
            "size": rng.choice(Size.values),
            "aeo_status": rng.choice([AeoStatus.NONE] * 5 + list(AeoStatus)),
            "influence": rng.randint(1, 5),
            "interest": rng.randint(1, 5),
            "stance": rng.choice(Stance.values),
            "preferred_language": rng.choice(["fr"] * 4 + ["en"]),
            "phone": f"+223 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        }
        chosen_tags = rng.sample(tags, rng.choice([0, 0, 1, 1, 2]))
        owner = rng.choice(owners) if owners else None
        office_choice = rng.random()
        person_seeds = [
            (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(JOBS), rng.random())
            for _ in range(contacts_per_org)
        ]
        number = registration_number(index)
        if number in existing:
            continue
        slug = name_key(name).replace(" ", "")[:14]
        region = regions[region_name]
        region_offices = offices.get(region.pk, [])
        organization = Organization(
            name=name,
            name_key=name_key(name),
            acronym="".join(w[0] for w in name.split() if w[0].isalpha()).upper(),
            region=region,
            customs_office=region_offices[int(office_choice * len(region_offices))] if region_offices else None,
            address=f"BP {index % 9000 + 100}, {values['city']}",
            email=f"contact{index}@{slug}.example",
            website=f"https://{slug}{index}.example",
            registration_number=number,
            owner=owner,
            **values,
        )
        new_orgs.append((organization, chosen_tags, person_seeds, index))
    created = bulk_create_with_history(
        [o for o, *_ in new_orgs], Organization, batch_size=2000, default_change_reason="Demo data"
    )
    for organization, (_o, chosen_tags, person_seeds, index) in zip(created, new_orgs, strict=True):
        tag_links += [Organization.tags.through(organization_id=organization.pk, tag_id=tag.pk) for tag in chosen_tags]
        for position, (first, last, job, chance) in enumerate(person_seeds):
            people.append(
                Contact(
                    first_name=first,
                    last_name=last,
                    organization_id=organization.pk,
                    job_title=job,
                    email=f"{first.lower()}.{position}.{index}@demo-contacts.example".replace("ï", "i"),
                    preferred_language=organization.preferred_language,
                    consent=chance < 0.7,
                    is_key_contact=position == 0,
                    gender="female" if first in FIRST_NAMES[::2] else "male",
                    consent_source="Demo data" if chance < 0.7 else "",
                )
            )
    Organization.tags.through.objects.bulk_create(tag_links, batch_size=5000, ignore_conflicts=True)
    bulk_create_with_history(people, Contact, batch_size=2000, default_change_reason="Demo data")
    return len(created), len(people)
