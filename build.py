#!/usr/bin/env python3
"""kmeans-lab: build the static site into dist/, check it, serve it, test it.

    python build.py [build] [--pyodide-from PATH] [--check] [--out dist]
    python build.py serve [--port N] [--host 127.0.0.1] [--out dist] [--base /PATH/]
    python build.py test [pytest args]
    python build.py bench [SUITE ...] [--repeat N] [--json PATH] [--full] [--match REGEX] [--tricks]
                          [--against OTHER_DIST]  (scaling, grid, birch are opt-in)
    python build.py figures [--from JSON] [--out site/img]

Standard library only; the work is done by the ``kmeanslab_build`` package in py/.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "py"))

from kmeanslab_build import BuildError  # noqa: E402
from kmeanslab_build.constants import DEFAULT_HOST, DEFAULT_OUT, DEFAULT_PORT  # noqa: E402

COMMANDS = ("build", "serve", "test", "bench", "screenshots", "figures")


def _regex(text: str) -> str:
    """--match's value, checked: a regular expression over the grid's shape labels."""
    try:
        re.compile(text)
    except re.error as err:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a regular expression ({err}); shape labels look like "
            "'12,000 x 2, k=64, overlapping, 64'") from None
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of at least 1 is needed")
    return value


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line; ``build`` is the default command."""
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    build = commands.add_parser("build", help="write dist/ (the default command)")
    build.add_argument(
        "--pyodide-from",
        type=Path,
        metavar="PATH",
        help="an official Pyodide 0.27.7 release: folder, "
        "pyodide-0.27.7.tar.bz2 or the npm pyodide-0.27.7.tgz",
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="verify the cache and an existing dist/ without writing",
    )
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    serve = commands.add_parser("serve", help="build when stale, then serve dist/")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to serve")
    serve.add_argument(
        "--base", default="/", metavar="/PATH/",
        help="serve under a sub-path, as a host like GitHub Pages does (e.g. /kmeans-lab/)",
    )
    bench = commands.add_parser("bench", help="time the workloads natively and in the page")
    bench.add_argument("suites", nargs="*", help="kmeans, points, image, digits, startup, "
                       "sipu (default: all); scaling, grid, birch (opt-in)")
    bench.add_argument("--repeat", type=_positive, default=3, help="runs per timing (median)")
    bench.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the dist/ to measure")
    bench.add_argument("--json", type=Path, default=None, metavar="PATH",
                       help="where the scaling suite writes its raw results "
                       "(default .bench/scaling.json)")
    bench.add_argument("--full", action="store_true",
                       help="grid: the whole cross product of shapes (hours), not the default")
    bench.add_argument("--match", default=None, metavar="REGEX", type=_regex,
                       help="grid: only the shapes whose label matches, e.g. 'x 2, k=64'")
    bench.add_argument("--tricks", action="store_true",
                       help="startup: also the page with each start-up trick left out")
    bench.add_argument("--against", type=Path, default=None, metavar="OTHER_DIST",
                       help="startup: alternate first and cached visits with another "
                       "build's dist/ folder, round by round (use --repeat 12 or more)")
    figures = commands.add_parser("figures", help="draw the README's benchmark figures")
    figures.add_argument("--from", dest="source", type=Path, default=None, metavar="JSON",
                         help="the scaling results (default .bench/scaling.json)")
    figures.add_argument("--out", type=Path, default=Path("site/img"), help="output folder")
    shots = commands.add_parser("screenshots", help="take the README's pictures of the page")
    shots.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the dist/ to show")
    commands.add_parser(
        "test",
        help="install test deps, build, find Chromium, run pytest "
        "(all further arguments go to pytest)",
    )
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv = ["build", *argv]
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Dispatch to the build package; return the exit code."""
    if argv[:1] == ["test"]:
        from kmeanslab_build.testrun import run_tests

        return run_tests(argv[1:])
    args = parse_args(argv)
    try:
        if args.command == "bench":
            from kmeanslab_build.assemble import build as build_dist
            from kmeanslab_build.bench import SUITES
            from kmeanslab_build.bench import run as run_bench
            from kmeanslab_build.bench.runner import open_page

            if args.json is not None:
                from kmeanslab_build.bench import scaling

                scaling.json_path = args.json.resolve()
            if args.full:
                from kmeanslab_build.bench import grid

                grid.full = True
            if args.match:
                from kmeanslab_build.bench import grid

                grid.match = args.match
                if "grid" not in args.suites:
                    args.suites.append("grid")
            if args.tricks:
                from kmeanslab_build.bench import startup

                startup.tricks = True
            if args.against:
                from kmeanslab_build.bench import startup, startup_ab

                if args.tricks:
                    raise SystemExit("--tricks and --against OTHER_DIST measure different "
                                     "things: run them one at a time")
                if args.against.resolve() == args.out.resolve():
                    raise SystemExit(f"--against {args.against}: that is the build being "
                                     f"measured (--out {args.out}); give another build's "
                                     "dist/ folder")
                startup.against = startup_ab.check_dist(args.against)
                if "startup" not in args.suites:
                    args.suites.append("startup")
            build_dist(args.out, None)
            run_bench(args.suites or SUITES, args.repeat, lambda: open_page(args.out), args.out)
            return 0
        if args.command == "figures":
            from kmeanslab_build.figures import main as draw

            return draw(args.source, args.out)
        if args.command == "screenshots":
            from kmeanslab_build.assemble import build as build_dist
            from kmeanslab_build.screenshots import take

            build_dist(args.out, None)
            for path in take(args.out):
                print(f"wrote {path}")
            return 0
        if args.command == "serve":
            from kmeanslab_build.serve import serve

            return serve(args.out, args.host, args.port, args.base)
        if args.check:
            from kmeanslab_build.check import check

            return check(args.out, args.pyodide_from)
        from kmeanslab_build.assemble import build, report

        print(report(build(args.out, args.pyodide_from)))
        return 0
    except BuildError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
