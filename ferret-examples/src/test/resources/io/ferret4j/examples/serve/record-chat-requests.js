// Installed in the page by ServePageBrowserTest: wraps fetch to keep the body of every chat request the page sends,
// and, when ferretTest.groundingsFor is set, adds the groundings it returns for the answer's text to the last
// chunk of the server's real answer stream (random weights never write a box themselves).
window.ferretTest = {requests: [], groundingsFor: null};
const serverFetch = window.fetch.bind(window);
window.fetch = async (resource, init) => {
  const chat = String(resource).endsWith('/v1/chat/completions');
  if (chat) {
    window.ferretTest.requests.push(JSON.parse(init.body));
  }
  const response = await serverFetch(resource, init);
  if (!chat || !response.ok || window.ferretTest.groundingsFor === null) {
    return response;
  }
  const events = (await response.text()).split('\n\n').filter(event => event.trim() !== '');
  const data = events.map(event => event.replace(/^data: ?/, ''));
  const chunks = data.slice(0, -1).map(json => JSON.parse(json));
  const answer = chunks.map(chunk => chunk.choices[0].delta.content ?? '').join('');
  chunks[chunks.length - 1].choices[0].delta.groundings = window.ferretTest.groundingsFor(answer);
  const body = [...chunks.map(chunk => JSON.stringify(chunk)), data[data.length - 1]]
    .map(json => `data: ${json}\n\n`).join('');
  return new Response(body, {status: response.status, headers: response.headers});
};
