"""Read side: folium maps built in core — layers, level of detail, regions, escaping.
Pages only render what these functions return."""
