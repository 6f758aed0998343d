"""Serve folium's CDN assets from local npm packages, so browser tests run without internet.

folium builds map pages that load Leaflet, Leaflet.markercluster, jQuery, Bootstrap and more from
public CDNs, and tiles from OpenStreetMap. Test machines reach only the package registries, so
without help the map iframe never renders. This module:

1. reads the exact asset URLs from the installed folium/branca/streamlit-folium (no hard-coded
   version list, so a folium upgrade keeps working),
2. maps each URL to an npm package version and a file inside it, fetches those packages once with
   `npm pack` into `.cache/e2e-assets/` (gitignored) and unpacks them,
3. answers the browser's requests from that cache through a Playwright route handler: local
   requests pass, known assets come from disk, tiles get a transparent 1x1 PNG, the rest is
   blocked.

Test-only: a user with internet access loads the real CDNs and needs none of this.
"""

from __future__ import annotations

import importlib.util
import json
import mimetypes
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Route

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "e2e-assets"

# Without these three the map cannot render at all; the rest only styles it.
ESSENTIAL_PACKAGES = frozenset({"leaflet", "leaflet.markercluster", "jquery"})

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

# Tile servers folium knows about by name; any other external image gets the same answer.
TILE_HOST_SUFFIXES = (
    "tile.openstreetmap.org",
    "openstreetmap.fr",
    "cartocdn.com",
    "arcgisonline.com",
    "stadiamaps.com",
    "opentopomap.org",
    "thunderforest.com",
    "tile.osm.ch",
)

# A valid 1x1 fully transparent PNG (67 bytes).
TRANSPARENT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)

_CONTENT_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".gif": "image/gif",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
}

_NPM_TIMEOUT_S = 180


@dataclass(frozen=True)
class NpmRef:
    """Where a CDN URL's file lives on npm: package, version (or range) and path inside it."""

    package: str
    version: str
    path: str


def _npm_scoped(pattern: str) -> str:
    # An npm name is "name" or "@scope/name"; the version follows after "@".
    return pattern.replace("{pkg}", r"(?P<pkg>(?:@[^/@]+/)?[^/@]+)")


# (regex on the URL without query/fragment, function building the NpmRef from the match)
_URL_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], NpmRef]]] = [
    (
        re.compile(
            _npm_scoped(r"^https?://cdn\.jsdelivr\.net/npm/{pkg}@(?P<ver>[^/]+)/(?P<p>.+)$")
        ),
        lambda m: NpmRef(m["pkg"], m["ver"], m["p"]),
    ),
    (
        re.compile(_npm_scoped(r"^https?://unpkg\.com/{pkg}(?:@(?P<ver>[^/]+))?/(?P<p>.+)$")),
        lambda m: NpmRef(m["pkg"], m["ver"] or "latest", m["p"]),
    ),
    (
        # cdnjs names libraries like their projects ("Leaflet.awesome-markers"); npm is lowercase.
        re.compile(
            r"^https?://cdnjs\.cloudflare\.com/ajax/libs/(?P<pkg>[^/]+)/(?P<ver>[^/]+)/(?P<p>.+)$"
        ),
        lambda m: NpmRef(m["pkg"].lower(), m["ver"], m["p"]),
    ),
    (
        re.compile(
            r"^https?://code\.jquery\.com/jquery-(?P<ver>\d+\.\d+\.\d+)(?P<min>\.min)?\.js$"
        ),
        lambda m: NpmRef("jquery", m["ver"], f"dist/jquery{m['min'] or ''}.js"),
    ),
    (
        # "d3.v4.min.js" means the newest 4.x; npm resolves the range "4" the same way.
        re.compile(r"^https?://d3js\.org/d3\.v(?P<ver>\d+)(?P<min>\.min)?\.js$"),
        lambda m: NpmRef("d3", m["ver"], f"d3{m['min'] or ''}.js"),
    ),
    (
        re.compile(
            r"^https?://(?:netdna|maxcdn|stackpath)\.bootstrapcdn\.com/"
            r"(?P<pkg>bootstrap|font-awesome)/(?P<ver>[^/]+)/(?P<p>.+)$"
        ),
        lambda m: NpmRef(m["pkg"], m["ver"], m["p"]),
    ),
]

# folium serves a few of its own template files from its GitHub repository via jsDelivr.
_FOLIUM_GH = re.compile(
    r"^https?://cdn\.jsdelivr\.net/gh/python-visualization/folium(?:@[^/]+)?/folium/(?P<p>.+)$"
)


def npm_ref_for(url: str) -> NpmRef | None:
    """The npm package file that a CDN URL serves, or None for URLs of other hosts."""
    bare = url.split("#", 1)[0].split("?", 1)[0]
    for pattern, build in _URL_RULES:
        match = pattern.match(bare)
        if match:
            return build(match)
    return None


def content_type_for(name: str) -> str:
    suffix = Path(urlsplit(name).path).suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def folium_asset_urls() -> list[str]:
    """Every JS/CSS URL that folium, its plugins and branca colormaps put into a map page.

    Read from the installed libraries rather than written down, so the list follows upgrades.
    """
    import branca.colormap
    import folium
    import folium.plugins
    from branca.element import CssLink, JavascriptLink

    urls: list[str] = []
    classes = [
        folium.Map,
        folium.plugins.MarkerCluster,
        folium.plugins.FastMarkerCluster,
        getattr(folium.plugins, "Fullscreen", None),
    ]
    for cls in classes:
        if cls is None:
            continue
        for _name, url in [*getattr(cls, "default_js", []), *getattr(cls, "default_css", [])]:
            urls.append(url)

    # branca adds d3 only while rendering a colormap, so render one and read the page header.
    fmap = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["#ffffff", "#1f6feb"], vmin=0, vmax=1).add_to(fmap)
    root = fmap.get_root()
    root.render()
    for child in root.header._children.values():
        if isinstance(child, JavascriptLink | CssLink) and getattr(child, "url", None):
            urls.append(child.url)

    # streamlit-folium adds d3 links of its own for colormaps; they are literals in its source.
    spec = importlib.util.find_spec("streamlit_folium")
    if spec is not None and spec.origin:
        source = Path(spec.origin).read_text(encoding="utf-8")
        urls.extend(re.findall(r"""["'](https://[^"'\s]+\.(?:js|css))["']""", source))

    return list(dict.fromkeys(urls))


def _cache_name(package: str, version: str) -> str:
    return f"{package.replace('/', '__')}@{version}"


@dataclass
class OfflineAssets:
    """Asset URL -> local file, plus the Playwright route handler that serves them."""

    cache_dir: Path = DEFAULT_CACHE_DIR
    files: dict[str, Path] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)
    missing_essentials: list[str] = field(default_factory=list)
    _package_roots: dict[tuple[str, str], Path | None] = field(default_factory=dict)
    _warned: set[str] = field(default_factory=set)
    _bodies: dict[Path, bytes] = field(default_factory=dict)

    # ---- preparing the cache -------------------------------------------------------------

    def prepare(self, urls: Iterable[str] | None = None) -> OfflineAssets:
        """Fetch the packages behind `urls` (default: folium's) and build the URL map."""
        urls = list(urls) if urls is not None else folium_asset_urls()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        refs = {url: npm_ref_for(url) for url in urls}
        wanted = sorted({(ref.package, ref.version) for ref in refs.values() if ref})
        # npm pack is network-bound, so a few at once even on two cores.
        with ThreadPoolExecutor(max_workers=4) as pool:
            roots = pool.map(lambda pv: self._package_root(*pv), wanted)
            self._package_roots.update(zip(wanted, roots, strict=True))

        for url, ref in refs.items():
            path = self.resolve(url)
            if path is not None:
                self.files[url] = path
                continue
            self.unresolved.append(url)
            if ref is not None and ref.package in ESSENTIAL_PACKAGES:
                self.missing_essentials.append(url)
        return self

    def _package_root(self, package: str, version: str) -> Path | None:
        """The unpacked package folder, fetching it with `npm pack` on first use."""
        key = (package, version)
        if key in self._package_roots:
            return self._package_roots[key]
        target = self.cache_dir / _cache_name(package, version)
        unavailable = target.with_name(target.name + ".unavailable")
        if target.is_dir():
            return target
        if unavailable.exists():
            return None
        npm = shutil.which("npm")
        if npm is None:
            self._warn("npm-missing", "npm not found: cannot fetch offline map assets")
            return None

        # cdnjs sometimes hosts a version npm never had (Leaflet.awesome-markers 2.0.2): the
        # nearest patch release of the same minor version has the same files.
        specs = [f"{package}@{version}"]
        if re.fullmatch(r"\d+\.\d+\.\d+", version):
            specs.append(f"{package}@~{version}")
        definitive_no = False
        for spec in specs:
            with tempfile.TemporaryDirectory(dir=self.cache_dir, prefix=".pack-") as tmp:
                result = subprocess.run(
                    [npm, "pack", spec, "--json", "--pack-destination", tmp],
                    cwd=tmp,
                    capture_output=True,
                    text=True,
                    timeout=_NPM_TIMEOUT_S,
                    check=False,
                )
                tarballs = list(Path(tmp).glob("*.tgz"))
                if result.returncode == 0 and tarballs:
                    self._unpack(tarballs[0], target)
                    if spec != specs[0]:
                        self._warn(spec, f"{package}@{version} is not on npm; using {spec}")
                    return target
                # E404/ETARGET: the registry said no, which will not change; anything else
                # (network trouble) may, so it is not remembered.
                definitive_no = any(code in result.stderr for code in ("E404", "ETARGET"))
                errors = [line for line in result.stderr.splitlines() if "npm error" in line]
                last_error = " / ".join(errors[:2]) or result.stderr.strip() or "(no output)"
        if definitive_no:
            unavailable.write_text(f"{specs}\n", encoding="utf-8")
        self._warn(f"{package}@{version}", f"npm pack {specs[-1]} failed: {last_error}")
        return None

    @staticmethod
    def _unpack(tarball: Path, target: Path) -> None:
        # Unpack beside the target and rename: an interrupted run never leaves half a package.
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
        try:
            with tarfile.open(tarball) as archive:
                archive.extractall(staging, filter="data")
            entries = list(staging.iterdir())
            # npm tarballs hold one top folder, usually "package/" (old ones use other names).
            root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
            try:
                root.rename(target)
            except OSError:
                if not target.is_dir():  # not a concurrent run that got there first
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # ---- resolving URLs ------------------------------------------------------------------

    def resolve(self, url: str) -> Path | None:
        """The local file for an asset URL, or None.

        Only packages fetched by `prepare` are searched: a route handler must not start
        downloads. Files referenced from CSS (fonts, images) resolve within those packages.
        """
        bare = url.split("#", 1)[0].split("?", 1)[0]
        if bare in self.files:
            return self.files[bare]
        gh = _FOLIUM_GH.match(bare)
        if gh:
            return _folium_file(gh["p"])
        ref = npm_ref_for(bare)
        if ref is None:
            return None
        root = self._package_roots.get((ref.package, ref.version))
        if root is None:
            return None
        return _find_in_package(root, ref.path)

    # ---- answering the browser -----------------------------------------------------------

    def handle_route(self, route: Route) -> None:
        """Route handler for `context.route("**/*", assets.handle_route)`."""
        request = route.request
        url = request.url
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host in LOCAL_HOSTS:
            route.continue_()
            return

        path = self.resolve(url)
        if path is not None:
            route.fulfill(
                status=200,
                body=self._body(path),
                headers={
                    "Content-Type": content_type_for(path.name),
                    # Fonts requested from CSS are CORS requests.
                    "Access-Control-Allow-Origin": "*",
                    "Cache-Control": "max-age=3600",
                },
            )
            return

        if host.endswith(TILE_HOST_SUFFIXES) or request.resource_type == "image":
            route.fulfill(status=200, body=TRANSPARENT_PNG, content_type="image/png")
            return

        if npm_ref_for(url) is not None or _FOLIUM_GH.match(url):
            # A CDN asset with no local copy: an empty file keeps the page loading quickly.
            self._warn(url, f"no offline copy of {url}; serving an empty file")
            route.fulfill(
                status=200,
                body=b"",
                headers={
                    "Content-Type": content_type_for(url),
                    "Access-Control-Allow-Origin": "*",
                },
            )
            return

        self._warn(host, f"blocked external request to {host} (first: {url})")
        route.abort("blockedbyclient")

    def _body(self, path: Path) -> bytes:
        if path not in self._bodies:
            self._bodies[path] = path.read_bytes()
        return self._bodies[path]

    def _warn(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            print(f"[e2e offline assets] {message}", file=sys.stderr)


def _folium_file(relative: str) -> Path | None:
    spec = importlib.util.find_spec("folium")
    if spec is None or not spec.origin:
        return None
    candidate = (Path(spec.origin).parent / relative).resolve()
    base = Path(spec.origin).parent.resolve()
    return candidate if candidate.is_file() and candidate.is_relative_to(base) else None


def _find_in_package(root: Path, relative: str) -> Path | None:
    """Find a CDN path inside an npm package whose folder layout may differ from the CDN's.

    cdnjs flattens "dist/" away and old packages keep builds in "build/", so after the exact
    path this falls back to a file of the same name, preferring the closest path.
    """
    relative = relative.lstrip("/")
    base = root.resolve()
    candidates = [relative]
    candidates.append(
        relative.removeprefix("dist/") if relative.startswith("dist/") else f"dist/{relative}"
    )
    for candidate in candidates:
        path = (root / candidate).resolve()
        if path.is_file() and path.is_relative_to(base):
            return path

    wanted = Path(relative)
    names = [wanted.name]
    if ".min." in wanted.name:  # some packages ship only the unminified build
        names.append(wanted.name.replace(".min.", "."))
    for name in names:
        matches = [p for p in root.rglob(name) if p.is_file() and "node_modules" not in p.parts]
        if matches:
            return min(matches, key=lambda p: _closeness(p.relative_to(root).parts, wanted.parts))
    return None


def _closeness(found: tuple[str, ...], wanted: tuple[str, ...]) -> tuple[int, int]:
    """Sort key: most trailing path parts in common first, then the shortest path."""
    shared = 0
    for a, b in zip(reversed(found), reversed(wanted), strict=False):
        if a != b:
            break
        shared += 1
    return (-shared, len(found))


def prepare_offline_assets(cache_dir: Path = DEFAULT_CACHE_DIR) -> OfflineAssets:
    """Fetch (once) and index everything folium's map pages load from CDNs."""
    return OfflineAssets(cache_dir=cache_dir).prepare()


if __name__ == "__main__":
    # `python -m tests.e2e.assets`: fill the cache and show what maps where.
    assets = prepare_offline_assets()
    print(json.dumps({url: str(path) for url, path in assets.files.items()}, indent=2))
    print("unresolved:", json.dumps(assets.unresolved, indent=2))
    print("missing essentials:", assets.missing_essentials)
