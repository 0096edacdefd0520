"""The import rule: every import between rooms follows the "Who may import whom" table in DESIGN.md, and no
module imports itself back through others.

The table is read from DESIGN.md itself, so the map and this check cannot disagree. Imports inside functions
count the same as those at the top of a module: a lazy import saves start-up time, it does not hide an arrow.
"""
import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESIGN = ROOT / "DESIGN.md"
SOURCES = ("oyster", "app.py", "tools")      # what is checked (tests may import anything)
TABLE_TITLE = "## Rooms and their rules"
OURS = ("oyster", "app", "tools")            # top-level names that are this project's modules


@dataclass(frozen=True)
class Room:
    name: str                    # e.g. "world", from its first path
    paths: tuple[str, ...]       # e.g. ("oyster/world/",) or ("oyster/session.py", "oyster/__init__.py")
    may_import: tuple[str, ...]  # room names, or dotted modules inside a room ("world.edits")


@dataclass(frozen=True)
class Arrow:
    source: str      # importing module, dotted ("oyster.session")
    target: str      # imported module, dotted, resolved to a module file where one exists
    line: int


def read_table(text: str) -> dict[str, Room]:
    """The rooms of DESIGN.md's import table: backticked paths in the first column, backticked names in the last."""
    section = text.split(TABLE_TITLE, 1)[1].split("\n## ", 1)[0]
    rooms = {}
    for row in section.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        paths = tuple(re.findall(r"`([^`]+)`", cells[0]))
        name = paths[0].rstrip("/").rsplit("/", 1)[-1].removesuffix(".py")
        rooms[name] = Room(name, paths, tuple(re.findall(r"`([^`]+)`", cells[-1])))
    return rooms


def module_name(rel: str) -> str:
    """"oyster/world/edits.py" -> "oyster.world.edits"; a package's __init__ is the package."""
    name = rel.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def room_of(rel: str, rooms: dict[str, Room]) -> str | None:
    """The room holding this file: an exact file path wins over the longest folder prefix."""
    best, size = None, -1
    for room in rooms.values():
        for p in room.paths:
            if rel == p:
                return room.name
            if p.endswith("/") and rel.startswith(p) and len(p) > size:
                best, size = room.name, len(p)
    return best


def arrows(sources: dict[str, str], ours: tuple[str, ...] = OURS) -> list[Arrow]:
    """Every import of a project module in these files ({relative path: source}), at any depth in the file."""
    modules = {module_name(rel) for rel in sources}
    found = []
    for rel, text in sources.items():
        me = module_name(rel)
        package = me if rel.endswith("__init__.py") else me.rpartition(".")[0]
        for node in ast.walk(ast.parse(text, rel)):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                # `from pkg import sub` imports the module pkg.sub when there is one, else a name from pkg
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            found += [Arrow(me, t, node.lineno) for t in dict.fromkeys(targets) if t.split(".")[0] in ours]
    return found


def problems(sources: dict[str, str], rooms: dict[str, Room], ours: tuple[str, ...] = OURS) -> list[str]:
    """What breaks the rule, one line each: unknown modules, rooms missing from the table, forbidden arrows,
    cycles."""
    out = []
    modules = {module_name(rel): rel for rel in sources}
    room = {m: room_of(rel, rooms) for m, rel in modules.items()}
    out += [f"{rel} is in no room of the DESIGN.md table" for m, rel in modules.items() if room[m] is None]
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for a in arrows(sources, ours):
        if a.target not in modules:
            out.append(f"{a.source}:{a.line} imports {a.target}, which does not exist")
            continue
        graph[a.source].add(a.target)
        src, dst = room[a.source], room[a.target]
        if src == dst or src is None or dst is None:
            continue
        local = a.target.split(".", 1)[1] if "." in a.target else a.target   # "oyster.world.edits" -> "world.edits"
        allowed = rooms[src].may_import
        if dst not in allowed and not any(local == x or local.startswith(x + ".") for x in allowed):
            out.append(f"{a.source}:{a.line} imports {a.target}: room {src} may not import room {dst}")
    out += [f"import cycle: {' -> '.join(c + c[:1])}" for c in cycles(graph)]
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (or a module importing itself), sorted (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph.get(v, ()):
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def project_sources() -> dict[str, str]:
    files = []
    for s in SOURCES:
        p = ROOT / s
        files += [p] if p.is_file() else sorted(p.rglob("*.py"))
    return {f.relative_to(ROOT).as_posix(): f.read_text(encoding="utf-8") for f in files}


def test_every_import_follows_the_table_in_design_md():
    found = problems(project_sources(), read_table(DESIGN.read_text(encoding="utf-8")))
    assert not found, "\n".join(found)


def test_the_table_is_read():
    rooms = read_table(DESIGN.read_text(encoding="utf-8"))
    assert {"world", "render", "direct", "neural", "session", "serve", "trailer", "app"} <= set(rooms)
    assert rooms["world"].may_import == ()          # the bottom of the house imports nothing of ours
    assert "app" not in {x for r in rooms.values() if r.name != "tools" for x in r.may_import}   # only tools


TOY_TABLE = f"""{TABLE_TITLE}

| room | holds | may import |
| --- | --- | --- |
| `pkg/low/` | the bottom | nothing |
| `pkg/mid.py`, `pkg/__init__.py` | the middle | `low` |
| `pkg/top/` | the top | `mid`, `low.types` |
"""


def toy(files: dict[str, str]) -> list[str]:
    return problems(files, read_table(TOY_TABLE), ours=("pkg",))


def test_the_check_catches_upward_arrows_lazy_ones_included():
    files = {"pkg/__init__.py": "", "pkg/low/__init__.py": "", "pkg/low/types.py": "", "pkg/low/calc.py": "",
             "pkg/mid.py": "from pkg.low import calc\n",
             "pkg/top/__init__.py": "from pkg.low import types\n",
             "pkg/top/view.py": "import pkg.mid\n"}
    assert toy(files) == []
    files["pkg/low/calc.py"] = "def f():\n    from pkg import mid\n"           # lazy, and upward
    files["pkg/top/view.py"] = "from pkg.low.calc import f\nfrom pkg.top.gone import g\n"
    found = toy(files)
    assert "pkg.low.calc:2 imports pkg.mid: room low may not import room mid" in found
    assert "pkg.top.view:1 imports pkg.low.calc: room top may not import room low" in found   # only low.types
    assert "pkg.top.view:2 imports pkg.top.gone, which does not exist" in found
    assert "import cycle: pkg.low.calc -> pkg.mid -> pkg.low.calc" in found


def test_the_check_catches_cycles_inside_a_room_and_unmapped_files():
    files = {"pkg/__init__.py": "", "pkg/low/__init__.py": "", "pkg/low/a.py": "from . import b\n",
             "pkg/low/b.py": "from .a import x\n", "pkg/stray.py": ""}
    found = toy(files)
    assert "import cycle: pkg.low.a -> pkg.low.b -> pkg.low.a" in found
    assert "pkg/stray.py is in no room of the DESIGN.md table" in found
