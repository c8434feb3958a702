// Browser bundle for the OpenLayers demo pages (built by scripts/demo-data/build-bundles.mjs
// into dist/maps/maps-ol.js): the adapter, the colormaps and the OpenLayers classes the
// pages use. rangetile itself is imported by the pages from dist/index.js.
import 'ol/ol.css';
export { createOpenLayersSource, ensureProjection, RangetileTileSource } from '../js/adapters/openlayers.js';
export { createLegend, applyColormap, colorOf, colormapLut, COLORMAP_NAMES } from '../js/adapters/colormaps.js';
export { default as Map } from 'ol/Map.js';
export { default as View } from 'ol/View.js';
export { default as WebGLTileLayer } from 'ol/layer/WebGLTile.js';
export { default as VectorLayer } from 'ol/layer/Vector.js';
export { default as VectorSource } from 'ol/source/Vector.js';
export { default as Graticule } from 'ol/layer/Graticule.js';
export { transformExtent, fromLonLat, toLonLat } from 'ol/proj.js';
