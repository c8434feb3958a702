// Browser bundle for the deck.gl demo page (built by scripts/demo-data/build-bundles.mjs into
// dist/maps/maps-deck.js). rangetile itself is imported by the page from dist/index.js.
export { createDeckGLLayer } from '../js/adapters/deckgl.js';
export { createLegend, colorOf, COLORMAP_NAMES } from '../js/adapters/colormaps.js';
export { Deck, MapView } from '@deck.gl/core';
