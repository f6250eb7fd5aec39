#!/usr/bin/env python3
"""Checks that the kernels compiled for one instruction set cannot leak into code that runs on
CPUs without it (core/base/isa_namespace.h says why they could).

  check_dispatched_objects.py ISA OBJECT [OBJECT ...]   (or OBJECT;OBJECT, as CMake lists them)

For each object compiled for ISA (avx2 or avx512):
  - it has no static initialiser: a dispatched unit's initialisers run at start on every CPU;
  - every function it defines with a name the linker may merge with another unit's (global or
    weak: inline functions and template instantiations) either lives in its own namespace
    w2v::isa_ISA, or uses no instruction beyond the x86-64 baseline, so that whichever copy the
    linker keeps runs anywhere.
Prints each offending function with the instructions it should not have; exits 1 if any.
"""
import re
import subprocess
import sys

# Mnemonics of VEX and EVEX encoded instructions start with v (not verr/verw), AVX-512's mask
# instructions with k; the rest are BMI, BMI2, LZCNT and MOVBE, part of x86-64-v3.
BEYOND_BASELINE = re.compile(
    r"^(v(?!err|erw)\w+|k\w+|andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|"
    r"shrx|lzcnt|tzcnt|movbe)$")


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def mergeable_functions(obj):
    """Demangled names of the global and weak functions obj defines."""
    names = set()
    for line in run("nm", "-C", "--defined-only", obj).splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in ("T", "W"):
            names.add(parts[2])
    return names


def functions_with_instructions(obj):
    """{demangled function name: set of mnemonics} from obj's disassembly."""
    out, current = {}, None
    for line in run("objdump", "-d", "-C", "-w", "--no-show-raw-insn", obj).splitlines():
        header = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if header:
            current = out.setdefault(header.group(1), set())
            continue
        insn = re.match(r"^\s+[0-9a-f]+:\s+(?:\w+ )*?(\w+)", line)
        if current is not None and insn:
            current.add(insn.group(1))
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    isa = sys.argv[1]
    objects = [o for arg in sys.argv[2:] for o in arg.split(";") if o]
    namespace = f"isa_{isa}::"
    problems = []
    for obj in objects:
        symbols = run("nm", obj)
        if "_GLOBAL__sub_I" in symbols:
            problems.append(f"{obj}: has a static initialiser")
        mergeable = mergeable_functions(obj)
        for name, mnemonics in functions_with_instructions(obj).items():
            if name not in mergeable or namespace in name:
                continue
            beyond = sorted(m for m in mnemonics if BEYOND_BASELINE.match(m))
            if beyond:
                problems.append(f"{obj}: {name} is shared with other units but uses "
                                f"{', '.join(beyond)}")
        print(f"{obj}: {len(mergeable)} global or weak functions, "
              f"{sum(1 for n in mergeable if namespace not in n)} outside {namespace}")
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print(f"{isa}: nothing compiled for it can run outside its own kernels")


if __name__ == "__main__":
    main()
