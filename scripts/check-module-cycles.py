#!/usr/bin/env python3
"""Fail when the module files of a Rust crate import each other in a cycle.

Usage:
    scripts/check-module-cycles.py [--edges] SRC_DIR [SRC_DIR ...]

SRC_DIR is a crate's `src` directory (e.g. `emulator/src`, `rules/src`, `src`).
Each of `lib.rs`, `main.rs` and `bin/*.rs` found there is a crate root; the
module tree is followed from it through `mod` declarations (file modules and
inline `mod x { ... }` blocks).

An edge A -> B means file A names an item defined in file B through a crate
path: a `use crate::...` / `use super::...` / `use self::...` / `use child::...`
tree, or a path in code such as `super::x::y(..)` or `crate::store::Tenant`.
Paths are resolved the way rustc does for this purpose: through child modules,
through `use` bindings and re-exports (`pub use tenant::Tenant` in
`store/mod.rs` makes `crate::store::Tenant` point at `store/tenant.rs`, not at
`store/mod.rs`) and through glob imports. Declaring a module (`mod x;`) is not
an import. A file naming its own items is not an edge.

The cycles are the strongly connected components of more than one file. For
each, the script prints one concrete cycle and the lines that make each of its
edges, then exits 1. With no cycle it prints a one-line summary and exits 0.
`--edges` also prints every edge (for a layering review).

Limits: string contents are ignored, so paths inside attributes such as
`#[serde(with = "crate::x")]` are not seen; macros are read as plain tokens.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
MOD_DECL = re.compile(
    r"(?<![A-Za-z0-9_])(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*([;{])"
)
USE_DECL = re.compile(r"(?<![A-Za-z0-9_$])use\s+([^;]*);")
CODE_PATH = re.compile(
    r"(?<![A-Za-z0-9_:])(\$?" + IDENT + r"(?:\s*::\s*(?:" + IDENT + r"|\*))+)"
)
ITEM_DEF = re.compile(
    r"(?<![A-Za-z0-9_])(?:fn|struct|enum|trait|type|const|static|union)\s+("
    + IDENT
    + r")"
)
MACRO_DEF = re.compile(r"macro_rules!\s*(" + IDENT + r")")


# ---------------------------------------------------------------------------
# Lexing: blank out comments and literals, keep offsets and line numbers.
# ---------------------------------------------------------------------------


def clean(src: str) -> str:
    """`src` with comments and string/char literal contents replaced by spaces."""
    out = list(src)
    n = len(src)
    i = 0

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    def ident_char(c: str) -> bool:
        return c.isalnum() or c == "_"

    while i < n:
        c = src[i]
        nxt = src[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            j = src.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
            continue
        if c == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
            continue
        prev = src[i - 1] if i > 0 else ""
        # Raw strings: r"..", r#".."#, br#".."#, cr".."
        m = re.match(r'(?:b|c)?r(#*)"', src[i:]) if not ident_char(prev) else None
        if m and c in "bcr":
            hashes = m.group(1)
            start = i + len(m.group(0))
            end = src.find('"' + hashes, start)
            end = n if end < 0 else end + 1 + len(hashes)
            blank(i, end)
            i = end
            continue
        if c == '"' or (c in "bc" and nxt == '"' and not ident_char(prev)):
            j = i + (1 if c == '"' else 2)
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            blank(i, j + 1)
            i = j + 1
            continue
        if c == "'" or (c == "b" and nxt == "'" and not ident_char(prev)):
            q = i if c == "'" else i + 1
            if q + 1 < n and src[q + 1] == "\\":
                j = q + 2
                while j < n and src[j] != "'":
                    j += 1
                blank(i, j + 1)
                i = j + 1
                continue
            if q + 2 < n and src[q + 2] == "'":
                blank(i, q + 3)
                i = q + 3
                continue
            i = q + 1  # a lifetime or a label
            continue
        i += 1
    return "".join(out)


def matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for k in range(open_at, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return len(text)


def split_top(s: str) -> list[str]:
    """Splits a use-tree list on commas outside braces."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def expand_use(tree: str, prefix: list[str]) -> list[tuple[str | None, list[str]]]:
    """Flattens a use tree into (bound name, full path); name None means a glob."""
    tree = re.sub(r"\s+", " ", tree).strip()
    tree = re.sub(r"\s*::\s*", "::", tree)
    if tree.startswith("::"):
        tree = tree[2:]
    if tree.startswith("{") and tree.endswith("}"):
        out = []
        for part in split_top(tree[1:-1]):
            out.extend(expand_use(part, prefix))
        return out
    brace = tree.find("{")
    if brace >= 0:
        head = [s for s in tree[:brace].split("::") if s]
        return expand_use(tree[brace:], prefix + head)
    alias = None
    m = re.match(r"(.*?)\s+as\s+(" + IDENT + r")$", tree)
    if m:
        tree, alias = m.group(1).strip(), m.group(2)
    segs = [s for s in tree.split("::") if s]
    if segs == ["*"] or (segs and segs[-1] == "*"):
        return [(None, prefix + segs[:-1])]
    if segs == ["self"]:
        full = prefix
    else:
        full = prefix + segs
    if not full:
        return []
    return [(alias or full[-1], full)]


# ---------------------------------------------------------------------------
# The module tree.
# ---------------------------------------------------------------------------


@dataclass
class Module:
    name: str
    file: Path
    child_dir: Path  # where `mod x;` inside this module looks for x.rs / x/mod.rs
    span: tuple[int, int]
    parent: "Module | None"
    children: dict[str, "Module"] = field(default_factory=dict)
    bindings: dict[str, list[tuple[list[str], int]]] = field(default_factory=dict)
    globs: list[tuple[list[str], int]] = field(default_factory=list)
    items: set[str] = field(default_factory=set)
    inline: list["Module"] = field(default_factory=list)

    def path(self) -> str:
        parts = []
        m: Module | None = self
        while m is not None and m.parent is not None:
            parts.append(m.name)
            m = m.parent
        return "::".join(["crate"] + parts[::-1])


@dataclass
class Use:
    module: Module
    path: list[str]
    line: int
    text: str


class Crate:
    def __init__(self, root_file: Path, src_dir: Path):
        self.src_dir = src_dir
        self.texts: dict[Path, str] = {}
        self.uses: list[Use] = []
        self.root = self._load_file_module("crate", root_file, root_file.parent, None)

    def text(self, f: Path) -> str:
        if f not in self.texts:
            self.texts[f] = clean(f.read_text(encoding="utf-8"))
        return self.texts[f]

    def _load_file_module(
        self, name: str, file: Path, child_dir: Path, parent: Module | None
    ) -> Module:
        text = self.text(file)
        mod = Module(name, file, child_dir, (0, len(text)), parent)
        self._scan(mod, text)
        return mod

    def _scan(self, mod: Module, text: str) -> None:
        start, end = mod.span
        pos = start
        own: list[tuple[int, int]] = []  # ranges of text that belong to `mod` itself
        while True:
            m = MOD_DECL.search(text, pos, end)
            if not m:
                own.append((pos, end))
                break
            name, kind = m.group(1), m.group(2)
            if kind == ";":
                own.append((pos, m.end()))
                base = mod.child_dir
                cands = [base / f"{name}.rs", base / name / "mod.rs"]
                found = next((c for c in cands if c.is_file()), None)
                if found is not None:
                    cdir = found.parent if found.name == "mod.rs" else base / name
                    mod.children[name] = self._load_file_module(name, found, cdir, mod)
                pos = m.end()
            else:
                own.append((pos, m.start()))
                close = matching_brace(text, m.end() - 1)
                child = Module(name, mod.file, mod.child_dir / name, (m.end(), close), mod)
                mod.children[name] = child
                mod.inline.append(child)
                self._scan(child, text)
                pos = close + 1
        for a, b in own:
            chunk = text[a:b]
            for im in ITEM_DEF.finditer(chunk):
                mod.items.add(im.group(1))
            for im in MACRO_DEF.finditer(chunk):
                mod.items.add(im.group(1))
            for um in USE_DECL.finditer(chunk):
                line = text.count("\n", 0, a + um.start()) + 1
                for bound, full in expand_use(um.group(1), []):
                    if full and full[0] == "$crate":
                        full = ["crate"] + full[1:]
                    if bound is None:
                        mod.globs.append((full, line))
                    elif bound != "_":
                        mod.bindings.setdefault(bound, []).append((full, line))
                    self.uses.append(Use(mod, full, line, "use " + " ".join(um.group(1).split())))
            for pm in CODE_PATH.finditer(chunk):
                raw = pm.group(1)
                # `use` trees were handled above; skip their fragments here.
                line_start = text.rfind("\n", 0, a + pm.start()) + 1
                if re.match(r"\s*(?:pub(?:\s*\([^)]*\))?\s+)?use\s", text[line_start:]):
                    continue
                segs = [s.strip() for s in raw.split("::")]
                if segs[0] == "$crate":
                    segs[0] = "crate"
                if segs[-1] == "*":
                    segs = segs[:-1]
                line = text.count("\n", 0, a + pm.start()) + 1
                self.uses.append(Use(mod, segs, line, " ".join(raw.split())))

    # -- resolution ---------------------------------------------------------

    def resolve(self, mod: Module, segs: list[str], depth: int = 0) -> Path | None:
        """The file defining what `segs` names from inside `mod`; None if external."""
        if depth > 40 or not segs:
            return None
        cur: Module | None
        first, rest = segs[0], segs[1:]
        if first == "crate":
            cur = self.root
        elif first == "self":
            cur = mod
        elif first == "super":
            cur = mod.parent
        elif first in mod.children:
            cur = mod.children[first]
        elif first in mod.bindings:
            return self._via_binding(mod, first, rest, depth)
        else:
            hit = self._via_globs(mod, first, rest, depth)
            return hit
        while rest and rest[0] == "super" and cur is not None:
            cur, rest = cur.parent, rest[1:]
        if cur is None:
            return None
        return self._walk(cur, rest, depth)

    def _walk(self, cur: Module, rest: list[str], depth: int) -> Path | None:
        while rest:
            seg = rest[0]
            if seg == "self":
                rest = rest[1:]
                continue
            if seg in cur.children:
                cur, rest = cur.children[seg], rest[1:]
                continue
            if seg in cur.bindings and seg not in cur.items:
                return self._via_binding(cur, seg, rest[1:], depth)
            if seg in cur.items:
                return cur.file
            hit = self._via_globs(cur, seg, rest[1:], depth)
            return hit if hit is not None else cur.file
        return cur.file

    def _via_binding(self, mod: Module, name: str, rest: list[str], depth: int) -> Path | None:
        for full, _line in mod.bindings[name]:
            if full == [name]:
                continue  # `use name;` of an external crate
            hit = self.resolve(mod, full + rest, depth + 1)
            if hit is not None:
                return hit
        return None

    def _via_globs(self, mod: Module, name: str, rest: list[str], depth: int) -> Path | None:
        for full, _line in mod.globs:
            target = self._module_at(mod, full, depth + 1)
            if target is None:
                continue
            if name in target.children or name in target.bindings or name in target.items:
                return self._walk(target, [name] + rest, depth + 1)
        return None

    def _module_at(self, mod: Module, segs: list[str], depth: int) -> Module | None:
        if depth > 40 or not segs:
            return None
        first, rest = segs[0], segs[1:]
        if first == "crate":
            cur: Module | None = self.root
        elif first == "self":
            cur = mod
        elif first == "super":
            cur = mod.parent
        elif first in mod.children:
            cur = mod.children[first]
        else:
            return None
        for seg in rest:
            if cur is None:
                return None
            if seg == "super":
                cur = cur.parent
            elif seg == "self":
                continue
            elif seg in cur.children:
                cur = cur.children[seg]
            else:
                return None
        return cur

    def edges(self) -> dict[tuple[Path, Path], list[tuple[int, str]]]:
        out: dict[tuple[Path, Path], list[tuple[int, str]]] = {}
        for u in self.uses:
            target = self.resolve(u.module, u.path)
            if target is None or target == u.module.file:
                continue
            out.setdefault((u.module.file, target), []).append((u.line, u.text))
        return out


# ---------------------------------------------------------------------------
# Cycles.
# ---------------------------------------------------------------------------


def strongly_connected(nodes: list[Path], succ: dict[Path, set[Path]]) -> list[list[Path]]:
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on: set[Path] = set()
    out: list[list[Path]] = []
    counter = [0]

    def visit(v: Path) -> None:
        work = [(v, iter(sorted(succ.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(succ.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                out.append(comp)

    for v in nodes:
        if v not in index:
            visit(v)
    return out


def one_cycle(comp: list[Path], succ: dict[Path, set[Path]]) -> list[Path]:
    """A shortest cycle through the first file (by name) of a component."""
    members = set(comp)
    start = min(comp)
    prev: dict[Path, Path] = {}
    queue = [start]
    seen = {start}
    while queue:
        nxt = []
        for v in queue:
            for w in sorted(succ.get(v, ())):
                if w not in members:
                    continue
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return path[::-1] + [start]
                if w not in seen:
                    seen.add(w)
                    prev[w] = v
                    nxt.append(w)
        queue = nxt
    return [start, start]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", nargs="+", type=Path, help="a crate's src directory")
    ap.add_argument("--edges", action="store_true", help="print every edge")
    args = ap.parse_args()
    failed = False
    for src in args.src:
        src = src.resolve()
        roots = [src / "lib.rs", src / "main.rs"] + sorted((src / "bin").glob("*.rs"))
        roots = [r for r in roots if r.is_file()]
        if not roots:
            print(f"{src}: no lib.rs, main.rs or bin/*.rs", file=sys.stderr)
            return 2
        edges: dict[tuple[Path, Path], list[tuple[int, str]]] = {}
        files: set[Path] = set()
        for root in roots:
            crate = Crate(root, src)
            files.update(crate.texts)
            for k, v in crate.edges().items():
                edges.setdefault(k, []).extend(v)
        succ: dict[Path, set[Path]] = {}
        for a, b in edges:
            succ.setdefault(a, set()).add(b)

        def rel(p: Path) -> str:
            return str(p.relative_to(src))

        if args.edges:
            for (a, b), lines in sorted(edges.items()):
                print(f"{rel(a)} -> {rel(b)}  (line {lines[0][0]}: {lines[0][1]})")
        comps = [c for c in strongly_connected(sorted(files), succ) if len(c) > 1]
        if not comps:
            print(f"{src}: no import cycles among {len(files)} files ({len(edges)} edges)")
            continue
        failed = True
        for comp in sorted(comps, key=lambda c: min(c)):
            cyc = one_cycle(comp, succ)
            names = ", ".join(sorted(rel(f) for f in comp))
            print(f"{src}: import cycle among {len(comp)} files: {names}")
            print("  " + " -> ".join(rel(f) for f in cyc))
            for a, b in zip(cyc, cyc[1:]):
                line, text = edges[(a, b)][0]
                if len(text) > 100:
                    text = text[:97] + "..."
                print(f"    {rel(a)}:{line}: {text}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
