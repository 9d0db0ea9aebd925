#!/usr/bin/env python3
"""Patch a copy of mediasoup's worker/ so it builds against Debian 12's libraries.

Usage: patch-meson.py <worker-dir>

mediasoup's meson.build pulls every C++ dependency in as a meson *subproject*
(downloaded from the internet at configure time).  The build machines cannot
download anything, but Debian 12 ships the very same library versions, so we
swap each `subproject(...)` for a pkg-config `dependency(...)`:

    openssl       -> dependency('openssl')
    libuv         -> dependency('libuv')
    libsrtp2      -> dependency('libsrtp2')  + <includedir>/srtp2 (Debian's .pc omits it)
    usrsctp       -> dependency('usrsctp')
    nlohmann_json -> dependency('nlohmann_json')
    abseil-cpp    -> dependency('absl_flat_hash_map' / 'absl_strings' /
                                'absl_optional' / 'absl_variant')
    catch2        -> dependency('catch2', required: false)  (only the test binary needs it)

and we drop the `link_whole` of the subprojects' static libraries (the system
libraries are linked as shared libraries through the dependencies), keeping
the in-tree `libwebrtc`.  `meson_version` is relaxed to Debian's meson 1.0.1.

Every edit is checked: if an expected pattern is missing, appears a different
number of times, or anything unknown is left over, the script exits non-zero
with a message.  A mediasoup version bump that changes these files therefore
fails loudly instead of silently producing a wrong build.
"""

import re
import sys
from pathlib import Path

# Debian 12 ships meson 1.0.1; mediasoup 3.12.16 asks for >= 1.1.0 but uses
# nothing newer than 1.0 (verified by building).
DEBIAN_MESON_VERSION = "1.0.1"

# subproject name -> meson code that defines the same variables from pkg-config.
# The variable names match what the rest of the (patched) files reference.
SUBPROJECT_REPLACEMENTS = {
    "meson.build": {
        "openssl": "openssl_dep = dependency('openssl')\n",
        "nlohmann_json": "nlohmann_json_dep = dependency('nlohmann_json')\n",
        "libuv": "libuv_dep = dependency('libuv')\n",
        # Debian's libsrtp2.pc says Cflags: -I${includedir}, but the headers live
        # in ${includedir}/srtp2 and mediasoup does `#include <srtp.h>`.
        "libsrtp2": (
            "libsrtp2_pc_dep = dependency('libsrtp2')\n"
            "libsrtp2_dep = declare_dependency(\n"
            "  dependencies: libsrtp2_pc_dep,\n"
            "  include_directories: include_directories(\n"
            "    libsrtp2_pc_dep.get_variable(pkgconfig: 'includedir') / 'srtp2',\n"
            "    is_system: true,\n"
            "  ),\n"
            ")\n"
        ),
        "usrsctp": "usrsctp_dep = dependency('usrsctp')\n",
        # Upstream used the wrap's absl_container_dep; the worker only needs
        # flat_hash_map from it.
        "abseil-cpp": (
            "absl_container_dep = dependency('absl_flat_hash_map')\n"
            "absl_strings_dep = dependency('absl_strings')\n"
            "absl_types_dep = [dependency('absl_optional'), dependency('absl_variant')]\n"
        ),
        # Optional so the worker itself configures without catch2 installed;
        # test-worker.sh installs catch2 and reconfigures.
        "catch2": "catch2_dep = dependency('catch2', required: false)\n",
    },
    # deps/libwebrtc/meson.build re-opens abseil; its deps are already defined
    # by the top-level file (subdir() shares the same scope), so just drop it.
    "deps/libwebrtc/meson.build": {
        "abseil-cpp": "# abseil: absl_strings_dep / absl_types_dep come from ../../meson.build (Debian's libabsl-dev)\n",
    },
}

# <subproject>_proj.get_variable('<name>') -> replacement expression.
GET_VARIABLE_REPLACEMENTS = {
    ("openssl", "openssl_dep"): "openssl_dep",
    ("nlohmann_json", "nlohmann_json_dep"): "nlohmann_json_dep",
    ("libuv", "libuv_dep"): "libuv_dep",
    ("libsrtp2", "libsrtp2_dep"): "libsrtp2_dep",
    ("usrsctp", "usrsctp_dep"): "usrsctp_dep",
    ("abseil_cpp", "absl_container_dep"): "absl_container_dep",
    ("abseil_cpp", "absl_strings_dep"): "absl_strings_dep",
    ("abseil_cpp", "absl_types_dep"): "absl_types_dep",
    ("catch2", "catch2_dep"): "catch2_dep",
}

# Left alone on purpose: only evaluated inside `if host_machine.system() == 'windows'`.
WINDOWS_ONLY_SUBPROJECTS = {"wingetopt"}

# The static archives of the subprojects were linked whole into
# libmediasoup-worker; with system shared libraries only libwebrtc remains.
LINK_WHOLE_OLD = """link_whole = [
  abseil_cpp_proj.get_variable('absl_container_lib'),
  openssl_proj.get_variable('libcrypto_lib'),
  openssl_proj.get_variable('libssl_lib'),
  libuv_proj.get_variable('libuv'),
  libsrtp2_proj.get_variable('libsrtp2'),
  usrsctp_proj.get_variable('usrsctp'),
  libwebrtc,
]
"""
LINK_WHOLE_NEW = """# Patched for Debian: system libraries come in as shared-library dependencies.
link_whole = [
  libwebrtc,
]
"""

# A whole `name_proj = subproject(\n  'name', ...\n)\n` block; the block ends at
# the first line that is a lone ')' at the indentation the block started at.
SUBPROJECT_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)(?P<var>\w+)_proj = subproject\(\s*'(?P<name>[\w-]+)'.*?^(?P=indent)\)\n",
    re.MULTILINE | re.DOTALL,
)
GET_VARIABLE = re.compile(r"(?P<proj>\w+)_proj\.get_variable\('(?P<var>\w+)'\)")
MESON_VERSION = re.compile(r"meson_version\s*:\s*'>=\s*(?P<v>[\d.]+)'")


def fail(msg: str, hint: bool = True) -> "NoReturn":  # noqa: F821
    if hint:
        msg += ("\n  The mediasoup worker's meson files are not what this patcher expects "
                "(new mediasoup version?). Review sfu/worker-build/patch-meson.py.")
    sys.exit(f"patch-meson.py: ERROR: {msg}")


def replace_exactly_once(text: str, old: str, new: str, where: str) -> str:
    count = text.count(old)
    if count != 1:
        fail(f"{where}: expected exactly 1 occurrence of:\n{old}\n  found {count}")
    return text.replace(old, new)


def version_tuple(v: str) -> tuple:
    return tuple(int(x) for x in v.split("."))


def patch_subprojects(text: str, rel: str) -> str:
    wanted = SUBPROJECT_REPLACEMENTS[rel]
    seen = set()

    def repl(m: re.Match) -> str:
        name = m.group("name")
        if name in WINDOWS_ONLY_SUBPROJECTS:
            return m.group(0)
        if name not in wanted:
            fail(f"{rel}: unknown subproject('{name}') - no Debian replacement defined")
        if name in seen:
            fail(f"{rel}: subproject('{name}') appears more than once")
        seen.add(name)
        indent = m.group("indent")
        body = "".join(indent + line if line.strip() else line
                       for line in wanted[name].splitlines(keepends=True))
        return f"{indent}# Patched for Debian: wrap \"{name}\" replaced by the system library (pkg-config)\n{body}"

    text = SUBPROJECT_BLOCK.sub(repl, text)
    missing = set(wanted) - seen
    if missing:
        fail(f"{rel}: expected subproject(s) not found: {sorted(missing)}")
    return text


def patch_get_variables(text: str, rel: str) -> str:
    def repl(m: re.Match) -> str:
        key = (m.group("proj"), m.group("var"))
        if m.group("proj") in WINDOWS_ONLY_SUBPROJECTS:
            return m.group(0)
        if key not in GET_VARIABLE_REPLACEMENTS:
            fail(f"{rel}: unknown {m.group(0)} - no Debian replacement defined")
        return GET_VARIABLE_REPLACEMENTS[key]

    return GET_VARIABLE.sub(repl, text)


def check_leftovers(text: str, rel: str) -> None:
    """Nothing may still reach for a non-Windows subproject."""
    for m in re.finditer(r"subproject\(\s*'([\w-]+)'", text):
        if m.group(1) not in WINDOWS_ONLY_SUBPROJECTS:
            fail(f"{rel}: subproject('{m.group(1)}') still present after patching")
    for m in re.finditer(r"(\w+)_proj\b", text):
        if m.group(1) not in WINDOWS_ONLY_SUBPROJECTS:
            fail(f"{rel}: reference to {m.group(0)} still present after patching")


def patch_file(worker: Path, rel: str) -> str:
    """Return the patched text of worker/<rel> (nothing is written here)."""
    path = worker / rel
    if not path.is_file():
        fail(f"{path} does not exist")
    text = path.read_text()
    if "Patched for Debian" in text:
        fail(f"{path} is already patched; patch a fresh copy of worker/", hint=False)

    if rel == "meson.build":
        # 1. Relax the meson version requirement to Debian's meson.
        m = MESON_VERSION.search(text)
        if not m:
            fail(f"{rel}: no meson_version: '>= X' found")
        if version_tuple(m.group("v")) > version_tuple(DEBIAN_MESON_VERSION):
            text = text[:m.start()] + f"meson_version: '>= {DEBIAN_MESON_VERSION}'" + text[m.end():]
        # 2. Keep only libwebrtc in link_whole (must come before the
        #    get_variable rewrite, which would choke on the *_lib variables).
        text = replace_exactly_once(text, LINK_WHOLE_OLD, LINK_WHOLE_NEW, rel)

    # 3. subproject(...) blocks -> dependency(...)
    text = patch_subprojects(text, rel)
    # 4. <x>_proj.get_variable('<y>') -> the dependency variables defined above
    text = patch_get_variables(text, rel)
    check_leftovers(text, rel)
    return text


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    worker = Path(sys.argv[1])
    # Patch everything in memory first, so a failure leaves no half-patched tree.
    patched = {rel: patch_file(worker, rel) for rel in SUBPROJECT_REPLACEMENTS}
    for rel, text in patched.items():
        (worker / rel).write_text(text)
        print(f"patch-meson.py: patched {rel}")


if __name__ == "__main__":
    main()
