// The SVG drawn over the photo: regions, the line being drawn, and the boxes of the answers. Its user units are the
// image's pixels, so shapes are drawn with the coordinates that are sent.

const SVG = 'http://www.w3.org/2000/svg';

/** Sizes the overlay to an image of `width`×`height` pixels and empties it. */
export function resetOverlay(svg, width, height) {
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const unit = Math.max(12, Math.round(Math.max(width, height) / 40));
  svg.dataset.unit = unit;
  svg.style.setProperty('--label-size', `${unit}px`);
  svg.querySelectorAll('g').forEach(group => group.replaceChildren());
}

/** The pixel of the image under a mouse event, clamped to the image. */
export function imagePixel(svg, event) {
  const rect = svg.getBoundingClientRect();
  const [, , width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
  const x = Math.floor((event.clientX - rect.left) * width / rect.width);
  const y = Math.floor((event.clientY - rect.top) * height / rect.height);
  return {x: clamp(x, 0, width - 1), y: clamp(y, 0, height - 1)};
}

/** Draws a region with its number. */
export function drawRegion(group, region) {
  const shape = regionShape(region, Number(group.ownerSVGElement.dataset.unit));
  shape.classList.add('region');
  const label = text(region.id, labelAnchor(region));
  label.classList.add('region-label');
  const g = element('g', {'data-region': region.id});
  g.append(shape, label);
  group.append(g);
}

/** Removes a region's drawing. */
export function eraseRegion(group, id) {
  group.querySelector(`[data-region="${id}"]`)?.remove();
}

/** Shows the line being drawn (a drag's box or a free-form path), replacing the previous one. */
export function drawSketch(group, tool, points) {
  const [first, last] = [points[0], points[points.length - 1]];
  const shape = tool === 'box'
    ? element('rect', rectAttributes([Math.min(first.x, last.x), Math.min(first.y, last.y),
      Math.max(first.x, last.x), Math.max(first.y, last.y)]))
    : element('polyline', {points: pointList(points)});
  shape.classList.add('sketch');
  group.replaceChildren(shape);
}

/** Draws an answer's boxes, each keyed by `key` and labelled with its phrase. */
export function drawGroundings(group, groundings, keyOf) {
  groundings.forEach((grounding, i) => {
    const g = element('g', {'data-grounding': keyOf(i)});
    const rect = element('rect', rectAttributes(grounding.box));
    rect.classList.add('grounding');
    const label = text(grounding.phrase, {x: grounding.box[0], y: grounding.box[1]});
    label.classList.add('grounding-label');
    g.append(rect, label);
    group.append(g);
  });
}

/** Emphasises (or not) the answer box keyed `key`. */
export function highlightGrounding(svg, key, on) {
  svg.querySelector(`[data-grounding="${key}"]`)?.classList.toggle('hot', on);
}

function regionShape(region, unit) {
  switch (region.kind) {
    case 'point':
      return element('circle', {cx: region.points[0].x + 0.5, cy: region.points[0].y + 0.5, r: unit / 3});
    case 'box':
      return element('rect', rectAttributes(region.box));
    default:
      return element('polygon', {points: pointList(region.points)});
  }
}

function labelAnchor(region) {
  const p = region.kind === 'box' ? {x: region.box[0], y: region.box[1]} : region.points[0];
  return {x: p.x, y: p.y};
}

function rectAttributes([x1, y1, x2, y2]) {
  return {x: x1, y: y1, width: x2 - x1 + 1, height: y2 - y1 + 1};
}

function pointList(points) {
  return points.map(p => `${p.x + 0.5},${p.y + 0.5}`).join(' ');
}

function text(content, {x, y}) {
  const label = element('text', {x, y});
  label.textContent = content;
  return label;
}

function element(name, attributes) {
  const e = document.createElementNS(SVG, name);
  Object.entries(attributes).forEach(([key, value]) => e.setAttribute(key, value));
  return e;
}

function clamp(v, low, high) {
  return Math.min(high, Math.max(low, v));
}
