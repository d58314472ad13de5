"""Fictional, deterministic stakeholders for the demo and the benchmark (bulk inserts).

Organization and person names are invented; towns are real (DOMAIN.md, Demo data). The same seed
gives the same data, and a second run adds only what is missing (matched by registration number
and by e-mail), so nothing is duplicated.
"""

import random

from django.db import transaction

from crm.lib import changes
from crm.lib.bulk import field_defaults, insert_rows, next_ids, reset_sequences
from stakeholders.choices import AeoStatus, OfficeKind, OrganizationType, Sector, Size, Stance
from stakeholders.models import Contact, CustomsOffice, Organization, Region, Tag
from stakeholders.normalize import contact_keys, name_key, organization_keys

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
    ["customs_broker"] * 4
    + ["freight_forwarder"] * 4
    + ["importer"] * 3
    + ["exporter"] * 2
    + ["carrier"] * 2
    + OrganizationType.values
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
    org_defaults, contact_defaults = field_defaults(Organization), field_defaults(Contact)
    sectors, sizes, stances = Sector.values, Size.values, Stance.values
    aeo_statuses = [AeoStatus.NONE.value] * 5 + AeoStatus.values
    org_rows, contact_rows, tag_links = [], [], []
    for index in range(organizations):
        # Every value is drawn in the same order whether or not the row exists already, so a row
        # depends only on the seed and its index.
        region = regions[rng.choice(region_names)]
        towns, _offices = GEOGRAPHY[region.name]
        values = {
            "type": rng.choice(WEIGHTED_TYPES),
            "sector": rng.choice(sectors),
            "city": rng.choice(towns),
            "size": rng.choice(sizes),
            "aeo_status": rng.choice(aeo_statuses),
            "influence": rng.randint(1, 5),
            "interest": rng.randint(1, 5),
            "stance": rng.choice(stances),
            "preferred_language": rng.choice(["fr"] * 4 + ["en"]),
            "phone": f"+223 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        }
        chosen_tags = rng.sample(tags, rng.choice([0, 0, 1, 1, 2]))
        owner = rng.choice(owners) if owners else None
        office_choice = rng.random()
        people = [
            (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(JOBS), rng.random())
            for _ in range(contacts_per_org)
        ]
        number = registration_number(index)
        if number in existing:
            continue
        name = demo_name(index)
        slug = name_key(name).replace(" ", "")[:14]
        region_offices = offices.get(region.pk, [])
        office = region_offices[int(office_choice * len(region_offices))] if region_offices else None
        org_rows.append(
            org_defaults
            | values
            | {
                "name": name,
                "acronym": "".join(w[0] for w in name.split() if w[0].isalpha()).upper(),
                "region_id": region.pk,
                "customs_office_id": office.pk if office else None,
                "address": f"BP {index % 9000 + 100}, {values['city']}",
                "email": f"contact{index}@{slug}.example",
                "website": f"https://{slug}{index}.example",
                "registration_number": number,
                "owner_id": owner.pk if owner else None,
                "_tags": chosen_tags,
                "_people": people,
                "_index": index,
            }
        )
    for row, pk in zip(org_rows, next_ids(Organization, len(org_rows)), strict=True):
        row["id"] = pk
        row.update(organization_keys(row))
        tag_links += [Organization.tags.through(organization_id=pk, tag_id=tag.pk) for tag in row.pop("_tags")]
        index = row.pop("_index")
        for position, (first, last, job, chance) in enumerate(row.pop("_people")):
            contact_rows.append(
                contact_defaults
                | {
                    "first_name": first,
                    "last_name": last,
                    "organization_id": pk,
                    "job_title": job,
                    "email": f"{first.lower()}.{position}.{index}@demo-contacts.example".replace("ï", "i"),
                    "preferred_language": row["preferred_language"],
                    "consent": chance < 0.7,
                    "is_key_contact": position == 0,
                    "consent_date": None,
                    "consent_source": "Demo data" if chance < 0.7 else "",
                    "gender": "female" if first in FIRST_NAMES[::2] else "male",
                }
            )
    for row, pk in zip(contact_rows, next_ids(Contact, len(contact_rows)), strict=True):
        row["id"] = pk
        row.update(contact_keys(row))
    insert_rows(Organization, org_rows, history_reason="Demo data")
    insert_rows(Contact, contact_rows, history_reason="Demo data")
    reset_sequences(Organization, Contact)
    Organization.tags.through.objects.bulk_create(tag_links, batch_size=5000, ignore_conflicts=True)
    changes.record()  # also for the regions, offices and tags, which may be new when no organization is
    return len(org_rows), len(contact_rows)
