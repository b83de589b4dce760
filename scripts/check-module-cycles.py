#!/usr/bin/env python3
"""Fails when a Rust crate's modules import each other in a cycle.

usage: scripts/check-module-cycles.py SRC_DIR [SRC_DIR ...]

Each file is a module (`a/b.rs` and `a/b/mod.rs` are `a::b`; `lib.rs`/`main.rs` are
the root). An edge A -> B is any `crate::b...` or `super::...` path in A's code that
names module B (or something inside it). Unit tests (`#[cfg(test)] mod tests`) and
the crate root are left out: a root declares every module, and tests may reach
anywhere. A cycle (a strongly connected group of more than one module) is printed
with the paths that make it, and the exit status is 1.
"""

import re
import sys
from pathlib import Path

PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE = re.compile(r"\buse\s+((?:crate|super)::[^;]*);", re.S)


def expand(tree: str) -> list:
    """`crate::a::{b, c::{d, e}}` -> `crate::a::b`, `crate::a::c::d`, `crate::a::c::e`."""
    tree = re.sub(r"\s+", "", tree)
    brace = tree.find("{")
    if brace < 0:
        return [tree]
    prefix, body = tree[:brace], tree[brace + 1 : tree.rfind("}")]
    parts, depth, start = [], 0, 0
    for i, c in enumerate(body):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    out = []
    for part in filter(None, parts):
        out.extend(expand(prefix + part))
    return out


def paths_in(text: str) -> list:
    """Every `crate::`/`super::` path: expanded `use` trees, then inline paths."""
    found = []
    for tree in USE.findall(text):
        for path in expand(tree):
            kind, _, rest = path.partition("::")
            found.append((kind, "::" + rest.split(" as ")[0]))
    found.extend(PATH.findall(USE.sub("", text)))
    return found


def module_of(src: Path, file: Path) -> tuple:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts and parts[-1] == "mod":
        parts.pop()
    if parts in (["lib"], ["main"]):
        return ()
    return tuple(parts)


def strip_tests(text: str) -> str:
    """Drops `#[cfg(test)]` items (a test module or a test-only function)."""
    out, i = [], 0
    while True:
        j = text.find("#[cfg(test)]", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        brace = text.find("{", j)
        semi = text.find(";", j)
        if semi != -1 and (brace == -1 or semi < brace):
            i = semi + 1
            continue
        depth, k = 0, brace
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        i = k + 1


def edges(src: Path, modules: set) -> dict:
    graph = {m: {} for m in modules}
    for file in sorted(src.rglob("*.rs")):
        here = module_of(src, file)
        if here not in modules:
            continue
        text = strip_tests(file.read_text())
        # Files named `x/mod.rs` are their own parent for `super::`.
        parent = here[:-1]
        for kind, rest in paths_in(text):
            names = [n for n in rest.strip(":").split("::") if n and n not in ("*", "self")]
            base = () if kind == "crate" else parent
            while names and names[0] == "super":
                base = base[:-1]
                names = names[1:]
            # The longest module prefix the path names.
            target = None
            for n in range(len(names), 0, -1):
                candidate = base + tuple(names[:n])
                if candidate in modules:
                    target = candidate
                    break
            if target and target != here and not here[: len(target)] == target:
                graph[here].setdefault(target, f"{kind}{rest}")
    return graph


def cycles(graph: dict) -> list:
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
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
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    status = 0
    for arg in sys.argv[1:]:
        src = Path(arg)
        modules = {module_of(src, f) for f in src.rglob("*.rs")} - {()}
        graph = edges(src, modules)
        for group in cycles(graph):
            status = 1
            names = {"::".join(m) for m in group}
            print(f"{src}: import cycle among {', '.join(sorted(names))}:")
            for m in group:
                for target, path in sorted(graph[m].items()):
                    if target in group:
                        print(f"  {'::'.join(m)} -> {'::'.join(target)}  ({path})")
    if status == 0:
        print("no import cycles in " + ", ".join(sys.argv[1:]))
    return status


if __name__ == "__main__":
    sys.exit(main())
