#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fail when the modules of src/ import each other in a cycle.

A module is one .c file of src/ (src/mech/fifo.c is "mech/fifo"), except
that a mechanism is one module whatever its files: src/mech/NAME.c and
src/mech/NAME_PART.c are all "mech/NAME" (file.c and file_race.c). Module X
imports module Y when X uses a function or variable that Y defines: X.c
includes the header declaring it, and Y.c defines it. The uses and
definitions come from the object files of the core library (nm): a symbol
X.o needs (type U) and Y.o defines. src/main.c, outside the library, only
calls dispatch_main. Types, macros and static inline
functions of headers make no import; a header is not a module (one header
may declare what several files define, as mechanism.h declares every
mechanism and registry.c lists them).

Usage: import-cycles.py SOURCE_ROOT ARCHIVE...
Prints every cycle with, for each step, a symbol that makes it, and exits 1;
exits 0 when the graph has no cycle.
"""
import os
import re
import subprocess
import sys


def source_names(root):
    """Object name as meson makes it ("src_mech_fifo.c") -> "mech/fifo"."""
    names = {}
    src = os.path.join(root, 'src')
    for d, _, files in os.walk(src):
        for f in files:
            if f.endswith('.c'):
                rel = os.path.relpath(os.path.join(d, f), root)
                mod = os.path.relpath(os.path.join(d, f), src)[:-2]
                if mod.startswith('mech/'):
                    mod = mod.split('_', 1)[0]
                names[rel.replace('/', '_')] = mod
    return names


def read_symbols(archives, names):
    """Per module: the symbols it defines and the symbols it needs."""
    defines, needs = {}, {}
    line_re = re.compile(r'^.*\[(?P<member>[^\]]+)\]: (?P<sym>\S+) (?P<type>\S)')
    for a in archives:
        out = subprocess.run(['nm', '-A', '-P', a], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = line_re.match(line)
            if not m:
                continue
            obj = os.path.basename(m['member'])
            obj = obj[:-2] if obj.endswith('.o') else obj
            mod = names.get(obj, obj)
            defines.setdefault(mod, set())
            needs.setdefault(mod, set())
            if m['type'] == 'U':
                needs[mod].add(m['sym'])
            elif m['type'].isupper():
                defines[mod].add(m['sym'])
    return defines, needs


def import_graph(defines, needs):
    """edges[X][Y] = the symbols of Y that X uses, sorted."""
    owner = {}
    for mod, syms in defines.items():
        for s in syms:
            owner[s] = mod
    edges = {mod: {} for mod in defines}
    for mod, syms in needs.items():
        for s in sorted(syms):
            y = owner.get(s)
            if y and y != mod:
                edges[mod].setdefault(y, []).append(s)
    return edges


def strongly_connected(edges):
    """Tarjan's algorithm, iterative; the components of more than one module."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, {})))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        comps.append(sorted(comp))
    return comps


def one_cycle(edges, comp):
    """A shortest cycle through the first module of a component."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v]):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: import-cycles.py SOURCE_ROOT ARCHIVE...')
    names = source_names(sys.argv[1])
    defines, needs = read_symbols(sys.argv[2:], names)
    edges = import_graph(defines, needs)
    comps = strongly_connected(edges)
    for comp in comps:
        cycle = one_cycle(edges, comp)
        print('import cycle among %s:' % ', '.join(comp))
        for a, b in zip(cycle, cycle[1:]):
            syms = edges[a][b]
            more = ' and %d more' % (len(syms) - 1) if len(syms) > 1 else ''
            print('  %s uses %s of %s%s' % (a, syms[0], b, more))
    if comps:
        sys.exit(1)
    print('no import cycle among %d modules' % len(edges))


if __name__ == '__main__':
    main()
