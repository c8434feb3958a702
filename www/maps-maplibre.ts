// Browser bundle for the MapLibre demo page (built by scripts/demo-data/build-bundles.mjs into
// dist/maps/maps-maplibre.js). rangetile itself is imported by the page from dist/index.js.
import 'maplibre-gl/dist/maplibre-gl.css';
export { createMapLibreSource } from '../js/adapters/maplibre.js';
export { createLegend, colorOf, COLORMAP_NAMES } from '../js/adapters/colormaps.js';
export { default as maplibregl } from 'maplibre-gl';
