"""Whether the package itself runs a leak's two sides on different goroutines.

A leak is a race only when a writer of the map runs while a caller still reads the map it
was handed. The lock says that the author expects concurrent callers, not who they are. The
evidence deepcopy asks for by default is the package's own: the leak hands the map to a
goroutine it starts, or a goroutine the package starts (a goroutine region of
gofacts.goroutines: the `go` statement's function and, two calls down, what that calls) runs
the leaking read, or a write of the same map under the same lock. Without it, the race needs
goroutines that callers outside the package start (a library's exported API, hooks run by
another package, a registry filled at start-up, a test fake driven from one goroutine),
which gomapfix cannot see; such leaks are reported only with the option exported-callers.
"""

from __future__ import annotations

from codemod.context import PackageContext
from gofacts.goroutines import Region, regions_of
from gofacts.launches import starting_functions
from gofacts.signatures import holder_name
from gofacts.types import PackageTypes
from transforms.deepcopy.guarded import GuardedWrites, lock_key, map_key, same_key
from transforms.deepcopy.leaks import CAPTURED_BY_GOROUTINE, TO_GOROUTINE, Leak


def concurrency(leak: Leak, writes: GuardedWrites, pkg: PackageContext, types: PackageTypes) -> str:
    """How a goroutine the package starts takes part in the leak, as a clause for its message
    (`the goroutine that Server.Start starts writes it in Server.add`); "" when none does."""
    if leak.route.startswith((TO_GOROUTINE, CAPTURED_BY_GOROUTINE)):
        return f"{holder_name(leak.at)} hands it to a goroutine it starts"
    regions = regions_of(pkg, types)
    if not regions.regions:
        return ""
    reading = regions.containing(leak.file, leak.at)
    if reading:
        return f"the goroutine that {starting_functions(pkg, _roots(reading))} runs this read"
    mkey, key = lock_key(leak.held), map_key(leak.at)
    if mkey is None or key is None:
        return ""
    for (m, w), sites in writes.items():
        if not (same_key(m, mkey) and same_key(w[: len(key)], key)):
            continue
        for f, node in sites:
            writing = regions.containing(f, node)
            if writing:
                started = starting_functions(pkg, _roots(writing))
                return f"the goroutine that {started} writes it in {holder_name(node)}"
    return ""


def _roots(regions: list[Region]) -> list[tuple[str, int]]:
    return sorted({r for region in regions for r in region.roots})
