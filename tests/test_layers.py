"""The layering of the code, as contracts checked on every import statement (those inside
functions too), so that it cannot drift. docs/architecture.md draws the same map.

    project          crm.settings, crm.urls, crm.apps, crm.management (commands)…
    cross-cutting    crm.dashboard · crm.home · crm.exporting · crm.demo · crm.search · crm.api · crm.calendar · crm.offline · crm.webhooks · crm.notifications   (each on its own)
    apps             communications  →  stakeholders
    accounts         crm.accounts, crm.models, crm.site, crm.maintenance, crm.jobs
    library          crm.lib, crm.templatetags, crm.env                     (imports no app)

A layer imports only the layers below it. Migrations are left out: they import nothing but Django
(tests/test_migrations.py)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crm", "stakeholders", "communications")

LIBRARY = ("crm.lib", "crm.templatetags", "crm.env")
ACCOUNTS = ("crm.accounts", "crm.models", "crm.site", "crm.maintenance", "crm.jobs")
APPS = ("stakeholders", "communications")
CROSS_CUTTING = (
    "crm.dashboard",
    "crm.home",
    "crm.exporting",
    "crm.demo",
    "crm.search",
    "crm.api",
    "crm.calendar",
    "crm.offline",
    "crm.webhooks",
    "crm.notifications",
)


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST) -> set[str]:
    """Every module named by an import statement, anywhere in the file ("from a import b" names a
    and a.b, since b may be a module)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] in PACKAGES}


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            graph[_module_name(path)] = _imported(ast.parse(path.read_text(), str(path)))
    return graph


GRAPH = import_graph()

# (what the contract says, the importing modules, the modules they must not import)
CONTRACTS = [
    (
        "the library imports no app and no room above it",
        LIBRARY,
        ("crm.accounts", "crm.models", "crm.site", "crm.maintenance", *APPS, *CROSS_CUTTING, "crm.urls", "crm.apps"),
    ),
    ("accounts import no app and no cross-cutting room", ACCOUNTS, (*APPS, *CROSS_CUTTING, "crm.urls")),
    ("the registry never imports the engagement log", ("stakeholders",), ("communications",)),
    ("apps never import a cross-cutting room or the project", APPS, (*CROSS_CUTTING, "crm.urls", "crm.apps")),
    *[
        (
            f"{room} imports no other cross-cutting room",
            (room,),
            tuple(other for other in CROSS_CUTTING if other != room),
        )
        for room in CROSS_CUTTING
    ],
]


def _broken(importers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in GRAPH.items()
        if _within(module, importers)
        for name in names
        if _within(name, forbidden)
    )


@pytest.mark.parametrize(("contract", "importers", "forbidden"), CONTRACTS, ids=[c[0] for c in CONTRACTS])
def test_import_contract(contract, importers, forbidden):
    assert _broken(importers, forbidden) == [], contract


def test_every_module_belongs_to_a_layer():
    """A new room is placed in the map (here and in docs/architecture.md) before it is used."""
    project = ("crm.settings", "crm.urls", "crm.wsgi", "crm.apps", "crm.checks", "crm.admin", "crm.management")
    placed = (*LIBRARY, *ACCOUNTS, *APPS, *CROSS_CUTTING, *project, "crm.formats")
    assert sorted(module for module in GRAPH if module != "crm" and not _within(module, placed)) == []


def test_the_contracts_catch_a_broken_import():
    """The checker itself: an import that breaks a contract is found."""
    GRAPH["stakeholders.example"] = {"communications.models"}
    try:
        assert _broken(("stakeholders",), ("communications",)) == ["stakeholders.example imports communications.models"]
    finally:
        del GRAPH["stakeholders.example"]
