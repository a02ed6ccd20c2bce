#!/usr/bin/env python3
"""Fails unless every package we build holds only our code and permissively licensed code.

Unpacks the npm tarball (dist/js/*.tgz), the wheel (dist/python/*.whl) and the jar
(dist/java/**/*.jar), reads the Go module (dist/go/<package>/, a folder: Go modules are published
as source), and every archive nested in them (the wheel, the jar and the Go module carry the npm
tarball), then checks:
- no file holds code of Remotion's client: a few literal strings that appear in every supported
  @remotion/lambda-client (checked against the installed ones) and in none of our own files;
- the npm tarball holds THIRD-PARTY-NOTICES, the prebuilt handler and the HTTP API's OpenAPI
  document (openapi/render-api.openapi.json, which users generate clients from), and no repository scripts,
  tests, or compiled handler runtime (src/render-function/runtime is bundled, never compiled to lib/);
- the Go module has its LICENSE and go.mod, and its embedded npm tarball (jsii/*.tgz, what the Go
  runtime loads) passes the npm tarball's checks.

Run after `npx projen build` (scripts/test-all.sh does). Exit status 1 names every problem.
`--dist DIR` checks the packages under DIR (js/, python/, java/, go/) instead of the repository's dist/:
test/scripts/check-package-contents.test.ts points it at small archives it makes.
"""
import argparse
import io
import pathlib
import sys
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Identifiers and messages of @remotion/lambda-client (4.0.365 to 4.0.527) that a copy, even a
# minified one (the messages survive minification), would carry.
MARKERS = [
    b'_dumpUnreleasedBuffers',
    b'innerSpeculateFunctionName',
    b'makeLambdaRenderMediaPayload',
    b'Memory size must be a positive integer. Received: ',
    b'renderer,renderId=',
]
INSTALLED_CLIENTS = [
    ROOT / 'node_modules/@remotion/lambda-client/dist/esm/index.mjs',
    ROOT / 'node_modules/remotion-lambda-floor/node_modules/@remotion/lambda-client/dist/esm/index.mjs',
]
OUR_FILES = ['src', 'projenrc', 'README.md', 'API.md', 'THIRD-PARTY-NOTICES', '.projenrc.ts']
NESTED = ('.tgz', '.tar.gz', '.whl', '.jar', '.zip')

problems: list[str] = []


def check_markers_are_sound() -> None:
    """The markers must be in every installed client and in none of our files, or the check proves nothing."""
    for client in INSTALLED_CLIENTS:
        text = client.read_bytes()
        for marker in MARKERS:
            if marker not in text:
                problems.append(f'marker {marker!r} is not in {client.relative_to(ROOT)}: pick another')
    for name in OUR_FILES:
        base = ROOT / name
        for file in [base] if base.is_file() else [p for p in base.rglob('*') if p.is_file()]:
            text = file.read_bytes()
            for marker in MARKERS:
                if marker in text:
                    problems.append(f'marker {marker!r} is in our own {file.relative_to(ROOT)}: pick another')


def entries(name: str, data: bytes):
    """(path, bytes) of every file in an archive, nested archives unpacked too."""
    if name.endswith(('.tgz', '.tar.gz')):
        with tarfile.open(fileobj=io.BytesIO(data), mode='r:gz') as archive:
            members = [(m.name, archive.extractfile(m).read()) for m in archive.getmembers() if m.isfile()]
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [(n, archive.read(n)) for n in archive.namelist() if not n.endswith('/')]
    for member, content in members:
        yield f'{name}!{member}', content
        if member.endswith(NESTED):
            yield from entries(f'{name}!{member}', content)


def shown(path: pathlib.Path) -> str:
    """The path relative to the repository, or as given when it lies outside (a test's archives)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check_archive(path: pathlib.Path) -> list[str]:
    files = list(entries(shown(path), path.read_bytes()))
    for name, content in files:
        for marker in MARKERS:
            if marker in content:
                problems.append(f'{name} holds Remotion client code ({marker.decode()!r})')
    return [name for name, _ in files]


def check_npm_layout(names: list[str], tarball: str = 'the npm tarball') -> None:
    inner = [name.split('!', 1)[1] for name in names]
    for required in ['package/THIRD-PARTY-NOTICES', 'package/LICENSE', 'package/assets/render-handler/index.mjs',
                     'package/assets/render-handler/THIRD-PARTY-NOTICES', 'package/lib/index.js',
                     'package/openapi/render-api.openapi.json']:
        if required not in inner:
            problems.append(f'{tarball} lacks {required}')
    for name in inner:
        if name.startswith(('package/scripts/', 'package/test/', 'package/lib/render-function/runtime/', 'package/src/')):
            problems.append(f'{tarball} ships {name}')
        if '/remotion/lambda-client.mjs' in name:
            problems.append(f'{tarball} ships a Remotion client at {name}')


def check_go_module(module: pathlib.Path) -> list[str]:
    """Every file of the module's folder, and of the npm tarball it embeds for the Go runtime."""
    names = []
    for file in sorted(p for p in module.rglob('*') if p.is_file()):
        name = f'{shown(module)}/{file.relative_to(module)}'
        names.append(name)
        if file.name.endswith(NESTED):
            names += check_archive(file)
            continue
        content = file.read_bytes()
        for marker in MARKERS:
            if marker in content:
                problems.append(f'{name} holds Remotion client code ({marker.decode()!r})')
    for required in ['LICENSE', 'go.mod']:
        if not (module / required).is_file():
            problems.append(f'the Go module {shown(module)} lacks {required}')
    tarballs = sorted((module / 'jsii').glob('*.tgz'))
    if len(tarballs) != 1:
        problems.append(f'the Go module {shown(module)} embeds {len(tarballs)} npm tarballs in jsii/, not one')
    for tarball in tarballs:
        check_npm_layout([n for n in names if n.startswith(f'{shown(tarball)}!')], f'the Go module\'s {tarball.name}')
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dist', type=pathlib.Path, default=ROOT / 'dist', help='where the packages are (default: dist/)')
    dist = parser.parse_args().dist.resolve()
    check_markers_are_sound()
    found = {
        'npm tarball': sorted((dist / 'js').glob('*.tgz')),
        'wheel': sorted((dist / 'python').glob('*.whl')),
        'jar': sorted((dist / 'java').rglob('*.jar')),
        'Go module': sorted(go_mod.parent for go_mod in (dist / 'go').glob('*/go.mod')),
    }
    for kind, paths in found.items():
        if not paths:
            problems.append(f'no {kind} under {shown(dist)}/: run `npx projen build` first')
        for path in paths:
            names = check_go_module(path) if kind == 'Go module' else check_archive(path)
            if kind == 'npm tarball':
                check_npm_layout(names)
            print(f'{shown(path)}: {len(names)} files checked')
    for problem in problems:
        print(f'FAIL: {problem}', file=sys.stderr)
    if not problems:
        print(f'No Remotion client code in any package ({len(MARKERS)} markers), notices shipped, no scripts, tests or runtime sources.')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
