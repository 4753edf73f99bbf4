// The server's OpenAI-style API: models, health and streamed chat completions, with an optional API key.

/**
 * Talks to the page's own origin. When the server answers 401, `askKey` is called for a key (it returns the key, or
 * null when the user gives up) and the request is sent again with `Authorization: Bearer <key>`.
 */
export class FerretApi {
  constructor(askKey) {
    this.askKey = askKey;
    this.key = sessionStorage.getItem('ferret-api-key');
  }

  /** The first model the server lists: `{id, demo, ...}`. */
  async model() {
    const response = await this.request('/v1/models', {});
    const models = await response.json();
    return models.data[0];
  }

  /** True once the model has loaded. */
  async ready() {
    const response = await fetch('/health');
    return response.ok;
  }

  /**
   * Sends a streamed chat completion and calls `onChunk` with each `chat.completion.chunk`; resolves when the server
   * sends `[DONE]`.
   */
  async chat(body, signal, onChunk) {
    const response = await this.request('/v1/chat/completions', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({...body, stream: true}),
      signal,
    });
    for await (const data of serverSentData(response.body)) {
      if (data === '[DONE]') {
        return;
      }
      const chunk = JSON.parse(data);
      if (chunk.error) {
        throw new Error(chunk.error.message);
      }
      onChunk(chunk);
    }
    throw new Error('the answer stopped before [DONE]');
  }

  async request(path, init) {
    for (;;) {
      const headers = {...init.headers};
      if (this.key) {
        headers.Authorization = 'Bearer ' + this.key;
      }
      const response = await fetch(path, {...init, headers});
      if (response.status === 401) {
        this.key = await this.askKey(await errorMessage(response));
        if (this.key === null) {
          sessionStorage.removeItem('ferret-api-key');
          throw new Error('no API key given');
        }
        sessionStorage.setItem('ferret-api-key', this.key);
        continue;
      }
      if (!response.ok) {
        throw new Error(await errorMessage(response));
      }
      return response;
    }
  }
}

async function errorMessage(response) {
  const text = await response.text();
  try {
    return JSON.parse(text).error.message;
  } catch {
    return `HTTP ${response.status}: ${text.slice(0, 200)}`;
  }
}

/** The `data:` payloads of a Server-Sent Events stream, one per event. */
async function* serverSentData(stream) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) {
      return;
    }
    buffered += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event.split('\n')
        .filter(line => line.startsWith('data:'))
        .map(line => line.slice(5).trimStart())
        .join('\n');
      if (data) {
        yield data;
      }
    }
  }
}
