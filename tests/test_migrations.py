"""Each app's migrations are squashed and frozen, and a database migrated before the squash goes on.

A fresh database runs one squashed migration per app. A database that ran some or all of the
migrations a squash replaces (a developer's var/, a demo database) goes on through the ones it has
not run, and Django then records the squash as applied. Migrations run no application code: they
import Django, the standard library and their own package, plus the few references named below.
"""

import ast
import importlib
import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.databases import ROOT, describe_schema, manage

APPS = ["crm", "stakeholders", "communications"]
SQUASHES = {
    "crm": "0001_squashed_0003_export_log",
    "stakeholders": "0001_squashed_0004_organization_region_type_index",
    "communications": "0001_squashed_0012_planned_tab_index",
}
# Paths a migration may name beyond Django and the standard library, each with the names it may take:
# what Django writes for a model's state, never called while migrating.
REFERENCES = {
    "simple_history.models": {"HistoricalChanges"},  # the historical models' base class (a library's)
    "stakeholders.models": {"validate_language"},  # a field's validator, called when a form is validated
}


def migration_files():
    """Every migration module of the project's apps (the installed libraries' are not ours)."""
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        if Path(config.path).parent == ROOT and folder.is_dir():  # the apps at the repository's top
            yield from ((config.label, path) for path in sorted(folder.glob("*.py")))


def references_beyond_django(label: str, path: Path) -> list[str]:  # noqa: C901 (one branch per kind of reference)
    """What the migration imports or names that is neither Django, the standard library, its own
    package nor a name in REFERENCES."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own_package = f"{label}.migrations"
    imported, problems = set(), []

    def allowed(module: str) -> bool:
        top = module.split(".")[0]
        return top == "django" or top in sys.stdlib_module_names or module.startswith(own_package)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in REFERENCES and alias.asname is None:
                    imported.add(alias.name)  # the names it is used for are checked below
                elif not allowed(alias.name):
                    problems.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            names = {alias.name for alias in node.names}
            if not allowed(module) and not names <= REFERENCES.get(module, set()):
                problems.append(f"from {module} import {', '.join(sorted(names))}")
        elif isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in {"import_module", "__import__"}:
            problems.append(f"a module imported by its name, line {node.lineno}")

    # `import stakeholders.models` binds `stakeholders`: every dotted name from there must be one of
    # REFERENCES (or lead to one), not another module of the package that happens to be loaded.
    named = {f"{module}.{name}" for module in imported for name in REFERENCES[module]}
    roots = {module.split(".")[0] for module in imported}
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:  # a whole dotted name
            dotted = ast.unparse(node)
            if dotted.split(".")[0] in roots and not any(f"{dotted}.".startswith(f"{name}.") for name in named):
                problems.append(dotted)
    return problems


def test_no_migration_runs_application_code():
    found = {f"{label}/{path.name}": references_beyond_django(label, path) for label, path in migration_files()}
    assert {label for label, _ in migration_files()} == set(APPS)
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_the_check_sees_an_import_of_live_choices(tmp_path):
    path = tmp_path / "0099_vocabulary.py"
    path.write_text(
        "import crm.models\n"
        "import stakeholders.models\n"
        "from django.db import migrations\n"
        "from communications.choices import DEFAULT_TOPICS\n"
        "from stakeholders.models import validate_language\n"
        "MANAGER = crm.models.UserManager\n"
        "STANCE = stakeholders.models.Stance\n"
        "GENDER = stakeholders.choices.Gender\n",
        encoding="utf-8",
    )
    assert references_beyond_django("communications", path) == [
        "import crm.models",
        "from communications.choices import DEFAULT_TOPICS",
        "stakeholders.models.Stance",
        "stakeholders.choices.Gender",
    ]


@pytest.mark.django_db
def test_the_models_need_no_migration_that_is_not_written():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:  # --check exits with 1 when the models differ from what the migrations make
        pytest.fail(f"the models need a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()


def frozen(app: str, name: str):
    return importlib.import_module(f"{app}.migrations.{name}")


def test_a_squash_makes_the_rows_the_migrations_it_replaces_made():
    roles = frozen("crm", "0002_roles").ROLES
    assert frozen("crm", SQUASHES["crm"]).ROLES == roles == ["Outreach officer", "Manager", "Administrator"]
    vocabularies = frozen("communications", "0002_topics_and_key_factors")
    squash = frozen("communications", SQUASHES["communications"])
    assert (squash.TOPICS, squash.KEY_FACTORS) == (vocabularies.TOPICS, vocabularies.KEY_FACTORS)


def test_a_fresh_database_starts_each_app_with_its_squash():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph  # no database: nothing applied
    assert {app: [name for _, name in graph.root_nodes(app)] for app in APPS} == {
        app: [name] for app, name in SQUASHES.items()
    }


# A database migrated part way before the squash: crm to its last migration, the two others to
# their first (stakeholders before the data migration that derives registration keys).
STOPS = {"crm": "0003_export_log", "stakeholders": "0001_initial", "communications": "0001_engagement_log"}
GO_ON = "from tests.test_migrations import go_on_from_before_the_squash; go_on_from_before_the_squash()"


def go_on_from_before_the_squash():
    """In a child process, on an empty database: migrate as the code did before the squash up to
    STOPS, write a few rows there, then `migrate`; print what it did and what the database holds."""
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    class LoaderBeforeTheSquash(MigrationLoader):
        """The migrations as they were before the squash: the squashed ones are not on disk."""

        def load_disk(self):
            super().load_disk()
            for key in [key for key, migration in self.disk_migrations.items() if migration.replaces]:
                del self.disk_migrations[key]

    before = MigrationExecutor(connection)
    before.loader = LoaderBeforeTheSquash(connection)
    targets = [(app, STOPS.get(app, name)) for app, name in before.loader.graph.leaf_nodes()]
    before.migrate(targets)
    state = before.loader.project_state(targets, at_end=True).apps
    author = state.get_model("crm", "User").objects.create(email="before@example.test", password="!")
    author.groups.add(state.get_model("auth", "Group").objects.get(name="Manager"))
    organization = state.get_model("stakeholders", "Organization").objects.create(
        name="Transit Sahel", name_key="transit sahel", registration_number=" sn 2024 b 77 "
    )
    engagement = state.get_model("communications", "Engagement").objects.create(
        author=author, title="Before the squash", occurred_on=date(2026, 11, 2)
    )
    engagement.organizations.add(organization)

    out = io.StringIO()
    call_command("migrate", "--no-input", stdout=out)

    from communications.models import Engagement
    from stakeholders.models import Organization

    after = MigrationExecutor(connection)
    engagement = Engagement.objects.get()
    report = {
        "applied": [
            line.split()[1].rstrip(".") for line in out.getvalue().splitlines() if line.strip().startswith("Applying")
        ],
        "recorded": sorted(
            f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations() if app in APPS
        ),
        "left": [str(key) for key, _ in after.migration_plan(after.loader.graph.leaf_nodes())],
        "registration_key": Organization.objects.get().registration_key,
        "engagement": [engagement.title, engagement.author.email, engagement.author.role]
        + [organization.name for organization in engagement.organizations.all()],
        **vocabularies(),
        "schema": describe_schema(connection),
    }
    print(json.dumps(report))  # noqa: T201 (the child process's report to the test)


def vocabularies():
    from django.contrib.auth.models import Group

    from communications.models import KeyFactor, Topic

    return {
        "topics": list(Topic.objects.order_by("pk").values_list("code", "name", "name_fr")),
        "key_factors": list(KeyFactor.objects.order_by("pk").values_list("code", flat=True)),
        "roles": sorted(Group.objects.values_list("name", flat=True)),
    }


def made_after_the_squash(app: str) -> list[str]:
    """The app's migrations that follow its squash, in order (they run on every database)."""
    last_replaced = frozen(app, SQUASHES[app]).Migration.replaces[-1][1]
    folder = Path(importlib.import_module(f"{app}.migrations").__file__).parent
    return sorted(
        path.stem for path in folder.glob("[0-9]*.py") if path.stem > last_replaced and "_squashed_" not in path.stem
    )


@pytest.mark.django_db
def test_a_database_migrated_before_the_squash_goes_on(fresh_database, tmp_path):
    report = json.loads(manage(fresh_database, tmp_path, "shell", "--no-imports", "-c", GO_ON).splitlines()[-1])

    # The apps stopped part way go on through the migrations their squash replaces, then those made
    # after it; crm, migrated through all it replaces, runs only those made after it.
    def applied(app: str) -> list[str]:
        return [name for name in report["applied"] if name.split(".")[0] == app]

    assert applied("crm") == [f"crm.{name}" for name in made_after_the_squash("crm")]
    assert applied("stakeholders") == [
        "stakeholders.0002_registration_key",
        "stakeholders.0003_live_name_indexes",
        "stakeholders.0004_organization_region_type_index",
        *(f"stakeholders.{name}" for name in made_after_the_squash("stakeholders")),
    ]
    assert applied("communications") == [
        *(
            f"communications.{name}"
            for _, name in frozen("communications", SQUASHES["communications"]).Migration.replaces[1:]
        ),
        *(f"communications.{name}" for name in made_after_the_squash("communications")),
    ]
    assert {f"{app}.{name}" for app, name in SQUASHES.items()} <= set(report["recorded"])
    assert report["left"] == []
    # The rows written before are there, and the data migrations run on the way did their work.
    assert report["engagement"] == ["Before the squash", "before@example.test", "Manager", "Transit Sahel"]
    assert report["registration_key"] == "SN2024B77"
    # It ends as a database made from the squashes (this test's own database) is.
    fresh = json.loads(json.dumps({**vocabularies(), "schema": describe_schema(connection)}))
    assert report["schema"] == fresh["schema"]
    assert {key: report[key] for key in ("topics", "key_factors", "roles")} == {
        key: fresh[key] for key in ("topics", "key_factors", "roles")
    }
