"""Small Leaflet elements of our own, for the regional map (folium MacroElements).

Each one carries its data as JSON (``tojson`` escapes ``<``, ``>``, ``&`` and ``'``, so no value
can end the script element) and builds the map objects in the browser; text that ends up as
HTML was escaped with ``escape_for_map`` on the server before it got here.
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template

from core.maps.escaping import escape_for_map, js_value
from core.maps.layers import COVERAGE_CERTIFIED, COVERAGE_CLAIMED, COVERAGE_SHORT


class ClusterAssets(JSCSSMixin, MacroElement):
    """Loads Leaflet.markercluster with the base map.

    Layers that need it arrive later through st_folium's feature groups, and the component
    only loads scripts when the map mounts, so the base map must bring them along.
    """

    default_js = MarkerCluster.default_js
    default_css = MarkerCluster.default_css
    _template = Template("{% macro script(this, kwargs) %}{% endmacro %}")


class FocusWithoutScroll(MacroElement):
    """Keeps a click on the map from scrolling the app's page.

    Leaflet focuses the map on mousedown; with the map's iframe partly below the fold the
    browser then scrolls the page, the mouseup lands somewhere else and the click (on a marker,
    say) is lost. This focuses without scrolling; keyboard panning keeps working.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var keyboard = map.keyboard;
            if (!keyboard) { return; }
            var wasEnabled = keyboard.enabled();
            keyboard.disable();
            keyboard._onMouseDown = function () {
                if (!this._focused) { this._map._container.focus({preventScroll: true}); }
            };
            if (wasEnabled) { keyboard.enable(); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class CountBubbles(MacroElement):
    """Aggregated counts as dark numbered discs; a click zooms in for more detail."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = {{ this.data|tojson }};
            var group = L.featureGroup();
            data.forEach(function (b) {
                var n = b[2];
                // Area grows with the order of magnitude, so 10 and 100,000 both stay readable.
                var px = Math.round(22 + 6 * Math.log10(Math.max(n, 1)));
                var icon = L.divIcon({
                    html: '<div style="width:' + px + 'px;height:' + px + 'px;border-radius:50%;'
                        + 'background:rgba(30,41,59,.85);color:#fff;border:2px solid #fff;'
                        + 'box-shadow:0 1px 4px rgba(0,0,0,.45);text-align:center;'
                        + 'font:600 11px/' + px + 'px sans-serif">'
                        + n.toLocaleString("en-US") + '</div>',
                    className: "pa-bubble",
                    iconSize: L.point(px + 4, px + 4)
                });
                var marker = L.marker([b[0], b[1]], {icon: icon});
                marker.bindTooltip(b[3] + ": " + n.toLocaleString("en-US") + " partner"
                    + (n === 1 ? "" : "s") + " · click to zoom in");
                marker.on("click", function (e) {
                    var map = e.target._map;
                    var zoom = Math.max(map.getZoom() + 2, {{ this.min_zoom_to }});
                    map.setView(e.latlng, Math.min(zoom, 18));
                });
                group.addLayer(marker);
            });
            group.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], *, min_zoom_to: int) -> None:
        super().__init__()
        self._name = "CountBubbles"
        self.data = rows
        self.min_zoom_to = int(min_zoom_to)


class LayerPopup(MacroElement):
    """A popup opened with its layer: shows the selected partner again after a refresh."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.addLayer(
            L.popup({maxWidth: 300, autoPan: false})
                .setLatLng({{ this.location|tojson }})
                .setContent({{ this.html|tojson }})
        );
        {% endmacro %}
        """
    )

    def __init__(self, location: tuple[float, float], html: str) -> None:
        super().__init__()
        self._name = "LayerPopup"
        self.location = [float(location[0]), float(location[1])]
        self.html = html  # already escaped by the caller


class HtmlLegend(MacroElement):
    """A compact, foldable legend box (bottom left): a caption and one swatch per colour.

    Bottom left sits over the Pacific and Mexico at the country-wide view, where it covers no
    state (bottom right covered Florida). On a narrow map it starts folded to its caption.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "pa-legend");
                div.innerHTML = {{ this.html|tojson }};
                var details = div.querySelector("details");
                if (details && map.getSize().x >= {{ this.open_min_px }}) { details.open = true; }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, *, caption: str, entries: list[tuple[str, str]], open_min_px: int = 480
    ) -> None:
        super().__init__()
        self._name = "HtmlLegend"
        self.open_min_px = int(open_min_px)
        swatches = "".join(
            f'<div><i style="background:{escape_for_map(color)}"></i>{escape_for_map(label)}</div>'
            for color, label in entries
        )
        self.html = (
            '<details style="background:rgba(255,255,255,.92);padding:3px 6px;border-radius:4px;'
            'font:11px/1.3 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:170px">'
            f'<summary style="cursor:pointer;font-weight:600">{escape_for_map(caption)}</summary>'
            f"{swatches}</details>"
            "<style>.pa-legend i{display:inline-block;width:12px;height:10px;margin-right:5px;"
            "vertical-align:middle;border:1px solid #999}</style>"
        )


class CompactAttribution(MacroElement):
    """Keeps the tile attribution short and inside a small map (it wraps rather than overflow).

    Drops Leaflet's own prefix (optional) and sets the attribution in small type; the tile
    provider's attribution (© OpenStreetMap contributors) stays, as its licence requires.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .leaflet-container .leaflet-control-attribution {
                font-size: 10px; line-height: 1.4; white-space: normal; max-width: 100%;
            }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        if ({{ this._parent.get_name() }}.attributionControl) {
            {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        }
        {% endmacro %}
        """
    )


def marker_callback(need_labels: list[str]) -> str:
    """FastMarkerCluster callback: one marker per row of ``map_layers.marker_rows``.

    Rows hold escaped text, so they are pasted into HTML as they are; labels and words are ours
    and escaped the same way. The popup is built when first opened, which keeps big clusters
    light.
    """
    needs = js_value([escape_for_map(label) for label in need_labels])
    words = js_value(
        {
            COVERAGE_CERTIFIED: "&#10003; certified",
            COVERAGE_CLAIMED: "&#10003; claimed, not certified",
            COVERAGE_SHORT: "&#10007; below the level asked for",
        }
    )
    return f"""(function () {{
    var NEEDS = {needs};
    var WORDS = {words};
    function popup(row) {{
        var html = '<div class="pa-popup"><strong>' + row[3] + '</strong>';
        if (row[4]) {{ html += '<br>' + row[4]; }}
        if (row[5]) {{ html += '<br>' + row[5]; }}
        var cov = String(row[6] || "");
        if (cov.length) {{
            var met = cov.split("").filter(function (c) {{ return c !== "0"; }}).length;
            html += '<br>Covers ' + met + ' of ' + cov.length + ' needs:';
            for (var i = 0; i < cov.length; i++) {{
                html += '<br>' + NEEDS[i] + ': ' + (WORDS[cov[i]] || '');
            }}
        }}
        html += '<br><a href="/partner_profile?id=' + encodeURIComponent(String(Number(row[2])))
            + '" target="_blank" rel="noopener">Open profile</a></div>';
        return html;
    }}
    // A CSS dot, not Leaflet's default image icon: that image path breaks inside st_folium.
    var ICON = L.divIcon({{
        className: "pa-pin",
        html: '<div style="width:14px;height:14px;border-radius:50%;background:#2563eb;'
            + 'border:2px solid #fff;box-shadow:0 1px 3px rgba(0,0,0,.6)"></div>',
        iconSize: [18, 18],
        tooltipAnchor: [9, 0],
        popupAnchor: [0, -8]
    }});
    return function (row) {{
        var marker = L.marker(new L.LatLng(row[0], row[1]), {{icon: ICON}});
        marker.bindTooltip(row[3]);
        marker.bindPopup(function () {{ return popup(row); }}, {{maxWidth: 300}});
        return marker;
    }};
}})()"""
