// The page: a photo, regions drawn on it, and a conversation about it with the server's chat completions.

import {FerretApi} from './api.js';
import {boxRegion, isClick, lassoRegion, placeholder, pointRegion, resolveQuestion} from './regions.js';
import {drawGroundings, drawRegion, drawSketch, eraseRegion, highlightGrounding, imagePixel, resetOverlay}
  from './overlay.js';

/**
 * Larger photos are scaled down to this many pixels on their longer side before they are sent: the model sees
 * 336×336, so four times that keeps regions exact to a fraction of its pixel while keeping requests small.
 */
const MAX_SIDE = 1344;

const $ = id => document.getElementById(id);

const state = {
  model: null,       // the first entry of GET /v1/models
  image: null,       // {url, width, height}: the PNG sent, and the pixels regions are given in
  regions: [],       // drawn on the photo, each {id, kind, points, region}
  nextRegionId: 1,
  history: [],       // the messages of the turns answered so far
  turns: 0,
  running: null,     // the AbortController of the answer being streamed
};

const api = new FerretApi(askKey);

$('photo-input').addEventListener('change', event => event.target.files[0] && openPhoto(event.target.files[0]));
listenForDrops($('stage'));
listenForDrawing($('overlay'));
$('ask-form').addEventListener('submit', event => {
  event.preventDefault();
  ask();
});
$('question').addEventListener('keydown', event => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('ask-form').requestSubmit();
  }
});
$('stop').addEventListener('click', () => state.running?.abort());
$('clear').addEventListener('click', () => {
  state.running?.abort();
  startOver();
});
connect();

async function connect() {
  try {
    while (!(await api.ready())) {
      $('server-status').textContent = 'loading the model…';
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
    state.model = await api.model();
    $('model-name').textContent = state.model.id;
    $('demo-banner').hidden = state.model.demo !== true;
    $('server-status').textContent = 'ready';
  } catch (error) {
    $('server-status').textContent = 'not connected';
    showError(error);
  }
  updateButtons();
}

// --- the photo ---

async function openPhoto(file) {
  hideError();
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    showError(new Error(`${file.name} is not an image this browser can read`));
    return;
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = $('photo');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  state.image = {url: canvas.toDataURL('image/png'), width: canvas.width, height: canvas.height};
  $('photo-size').textContent = `${file.name}: ${canvas.width}×${canvas.height} pixels`
    + (scale < 1 ? ` (scaled down from ${bitmap.width}×${bitmap.height})` : '');
  $('stage').dataset.empty = 'false';
  resetOverlay($('overlay'), canvas.width, canvas.height);
  startOver();
}

function listenForDrops(stage) {
  stage.addEventListener('dragover', event => {
    event.preventDefault();
    stage.classList.add('dropping');
  });
  stage.addEventListener('dragleave', () => stage.classList.remove('dropping'));
  stage.addEventListener('drop', event => {
    event.preventDefault();
    stage.classList.remove('dropping');
    const file = event.dataTransfer.files[0];
    if (file) {
      openPhoto(file);
    }
  });
}

// --- regions ---

function listenForDrawing(svg) {
  let points = null;
  svg.addEventListener('pointerdown', event => {
    if (state.image && event.button === 0) {
      svg.setPointerCapture(event.pointerId);
      points = [imagePixel(svg, event)];
    }
  });
  svg.addEventListener('pointermove', event => {
    if (points) {
      points.push(imagePixel(svg, event));
      if (selectedTool() !== 'point') {
        drawSketch($('sketch'), selectedTool(), points);
      }
    }
  });
  svg.addEventListener('pointerup', () => {
    if (points) {
      addRegion(regionFrom(selectedTool(), points));
      points = null;
      $('sketch').replaceChildren();
    }
  });
  svg.addEventListener('pointercancel', () => {
    points = null;
    $('sketch').replaceChildren();
  });
}

function selectedTool() {
  return document.querySelector('input[name="tool"]:checked').value;
}

/** The region a mouse gesture drew: a click is a point whatever the tool. */
function regionFrom(tool, points) {
  const id = state.nextRegionId;
  const first = points[0];
  const last = points[points.length - 1];
  if (tool === 'point' || points.every(p => isClick(first, p))) {
    return pointRegion(id, last);
  }
  if (tool === 'box') {
    return boxRegion(id, first, last);
  }
  return lassoRegion(id, points, state.image.width, state.image.height);
}

function addRegion(region) {
  state.nextRegionId++;
  state.regions.push(region);
  drawRegion($('region-shapes'), region);
  $('region-chips').append(regionChip(region));
  putInQuestion(region);
}

function regionChip(region) {
  const chip = document.createElement('li');
  chip.dataset.regionChip = region.id;
  const use = button(`${region.id} · ${region.kind}`, `Put region ${region.id} (${region.kind}) in the question`,
    () => putInQuestion(region));
  use.classList.add('chip');
  const remove = button('×', `Remove region ${region.id}`, () => removeRegion(region.id));
  remove.classList.add('remove');
  chip.append(use, remove);
  return chip;
}

function putInQuestion(region) {
  const question = $('question');
  const before = question.value.slice(0, question.selectionStart);
  const space = before === '' || before.endsWith(' ') ? '' : ' ';
  question.setRangeText(`${space}${placeholder(region)} `, question.selectionStart, question.selectionEnd, 'end');
  question.focus();
}

function removeRegion(id) {
  state.regions = state.regions.filter(r => r.id !== id);
  eraseRegion($('region-shapes'), id);
  $('region-chips').querySelector(`[data-region-chip="${id}"]`).remove();
  $('question').value = $('question').value.replaceAll(`<region${id}>`, '').replace(/ {2,}/g, ' ');
}

// --- the conversation ---

async function ask() {
  hideError();
  const question = $('question').value.trim();
  let resolved;
  try {
    if (question === '') {
      throw new Error('type a question first');
    }
    resolved = resolveQuestion(question, state.regions);
  } catch (error) {
    showError(error);
    return;
  }
  const user = {role: 'user', content: [...imageParts(), {type: 'text', text: resolved.text}, ...resolved.parts]};
  const turn = ++state.turns;
  const view = turnView(turn, question);
  state.running = new AbortController();
  updateButtons();
  let answer = '';
  let groundings = [];
  try {
    await api.chat({model: state.model.id, messages: [...state.history, user]}, state.running.signal, chunk => {
      const delta = chunk.choices[0]?.delta ?? {};
      if (delta.content) {
        answer += delta.content;
        view.answer.textContent = answer;
      }
      groundings = delta.groundings ?? groundings;
    });
    state.history.push(user, {role: 'assistant', content: answer});
    showGroundings(view, turn, answer, groundings);
    view.item.dataset.state = 'done';
    $('question').value = '';
  } catch (error) {
    view.item.dataset.state = 'failed';
    view.answer.textContent = answer + (error.name === 'AbortError' ? ' (stopped)' : '');
    if (error.name !== 'AbortError') {
      showError(error);
    }
  } finally {
    state.running = null;
    updateButtons();
  }
}

/** The photo goes with the first question only; later questions are about the same photo. */
function imageParts() {
  return state.history.length === 0 ? [{type: 'image_url', image_url: {url: state.image.url}}] : [];
}

function turnView(turn, question) {
  const asked = document.createElement('li');
  asked.className = 'turn user';
  asked.textContent = question;
  const item = document.createElement('li');
  item.className = 'turn assistant';
  item.dataset.turn = turn;
  item.dataset.state = 'streaming';
  const answer = document.createElement('p');
  answer.className = 'answer';
  item.append(answer);
  $('conversation').append(asked, item);
  return {item, answer};
}

/** Draws an answer's boxes and makes its phrases (in the text and in a list) highlight them when hovered. */
function showGroundings(view, turn, answer, groundings) {
  const key = i => `${turn}-${i}`;
  drawGroundings($('answer-boxes'), groundings, key);
  view.answer.replaceChildren(...markedText(answer, groundings, key));
  if (groundings.length > 0) {
    const list = document.createElement('ul');
    list.className = 'groundings';
    list.setAttribute('aria-label', 'Boxes in this answer');
    groundings.forEach((g, i) => {
      const item = document.createElement('li');
      item.append(phrase(g.phrase, key(i)), ` [${g.box.join(', ')}]`);
      list.append(item);
    });
    view.item.append(list);
  }
}

function markedText(answer, groundings, key) {
  const nodes = [];
  let from = 0;
  groundings.forEach((g, i) => {
    const at = answer.indexOf(g.phrase, from);
    if (g.phrase !== '' && at >= 0) {
      nodes.push(answer.slice(from, at), phrase(g.phrase, key(i)));
      from = at + g.phrase.length;
    }
  });
  nodes.push(answer.slice(from));
  return nodes;
}

function phrase(text, key) {
  const mark = document.createElement('mark');
  mark.textContent = text;
  mark.dataset.phrase = key;
  mark.tabIndex = 0;
  const highlight = on => () => highlightGrounding($('overlay'), key, on);
  mark.addEventListener('mouseenter', highlight(true));
  mark.addEventListener('mouseleave', highlight(false));
  mark.addEventListener('focus', highlight(true));
  mark.addEventListener('blur', highlight(false));
  return mark;
}

/** Forgets the regions and the conversation; the photo stays. */
function startOver() {
  state.regions = [];
  state.nextRegionId = 1;
  state.history = [];
  state.turns = 0;
  $('region-chips').replaceChildren();
  $('conversation').replaceChildren();
  ['answer-boxes', 'region-shapes', 'sketch'].forEach(id => $(id).replaceChildren());
  $('question').value = '';
  hideError();
  updateButtons();
}

// --- small helpers ---

function updateButtons() {
  $('ask').disabled = state.running !== null || state.model === null || state.image === null;
  $('stop').hidden = state.running === null;
}

function button(label, accessibleName, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.setAttribute('aria-label', accessibleName);
  b.addEventListener('click', onClick);
  return b;
}

function showError(error) {
  $('error').textContent = error.message;
  $('error').hidden = false;
}

function hideError() {
  $('error').hidden = true;
}

/** Asks the user for the server's API key; resolves to the key, or null if they cancel. */
function askKey(message) {
  const dialog = $('key-dialog');
  $('key-title').textContent = `This server needs an API key (${message})`;
  $('api-key').value = '';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise(resolve => dialog.addEventListener('close',
    () => resolve(dialog.returnValue === 'ok' ? $('api-key').value : null), {once: true}));
}
