// Regions drawn on the photo, in pixels of the image sent, and their parts in a chat request.

/** A click: one pixel. */
export function pointRegion(id, p) {
  return {id, kind: 'point', points: [p], region: {point: [p.x, p.y]}};
}

/** A drag between two corners: the inclusive box of pixels between them. */
export function boxRegion(id, a, b) {
  const box = [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)];
  return {id, kind: 'box', points: [a, b], box, region: {box}};
}

/** A closed line drawn around something: the pixels inside it, sent as a mask PNG of the image's size. */
export function lassoRegion(id, path, width, height) {
  return {id, kind: 'free form', points: path, region: {mask: maskPng(path, width, height)}};
}

/** True when a drag is too short to be a box (then it was meant as a click). */
export function isClick(a, b) {
  return Math.abs(a.x - b.x) < 3 && Math.abs(a.y - b.y) < 3;
}

/** The request part of a region. */
export function regionPart(region) {
  return {type: 'region', region: region.region};
}

/**
 * Turns the question as typed, with `<regionN>` naming the chips, into the API's text, where each `<region>` takes
 * the next region part, and those parts in order. Throws naming a `<regionN>` whose region does not exist.
 */
export function resolveQuestion(question, regions) {
  const parts = [];
  const text = question.replace(/<region(\d+)>/g, (written, number) => {
    const region = regions.find(r => r.id === Number(number));
    if (!region) {
      throw new Error(`${written} is not a region drawn on this photo`);
    }
    parts.push(regionPart(region));
    return '<region>';
  });
  const bare = text.split('<region>').length - 1 - parts.length;
  if (bare > 0) {
    throw new Error('write <region1>, <region2>… (click a region chip) rather than a bare <region>');
  }
  return {text, parts};
}

/** The placeholder of a region in the question. */
export function placeholder(region) {
  return `<region${region.id}>`;
}

function maskPng(path, width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  // Transparent outside, opaque white inside: the server counts a pixel with any non-zero channel as the region.
  context.fillStyle = '#fff';
  context.beginPath();
  path.forEach((p, i) => (i === 0 ? context.moveTo(p.x + 0.5, p.y + 0.5) : context.lineTo(p.x + 0.5, p.y + 0.5)));
  context.closePath();
  context.fill();
  return canvas.toDataURL('image/png');
}
