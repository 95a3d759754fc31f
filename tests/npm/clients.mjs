// The official ollama and openai npm clients, unchanged, against conductord's gateway. Run by
// tests/gateway/clients_test.cpp: `node clients.mjs BASE_URL TOKEN MODEL`; prints one JSON object
// with what each call gave (the C++ test asserts on it), and exits 0 unless something threw.
import { Ollama } from 'ollama';
import OpenAI from 'openai';

const [base, token, model] = process.argv.slice(2);
const out = {};
const messages = [{ role: 'user', content: 'hi' }];

async function step(name, fn) {
  try {
    out[name] = await fn();
  } catch (e) {
    out[name] = { error: String(e && e.message ? e.message : e), status: e && e.status_code ? e.status_code : e && e.status };
  }
}

const ollama = new Ollama({ host: base, headers: { Authorization: `Bearer ${token}` } });
await step('ollama_chat', async () => {
  const r = await ollama.chat({ model, messages, stream: false });
  return { content: r.message.content, done: r.done, eval_count: r.eval_count };
});
await step('ollama_stream', async () => {
  let text = '';
  let chunks = 0;
  let done = false;
  for await (const part of await ollama.chat({ model, messages, stream: true })) {
    text += part.message.content;
    chunks += 1;
    done = done || part.done;
  }
  return { content: text, chunks, done };
});
await step('ollama_generate', async () => {
  const r = await ollama.generate({ model, prompt: 'hi', stream: false });
  return { content: r.response, done: r.done };
});
await step('ollama_list', async () => {
  const r = await ollama.list();
  return { names: r.models.map((m) => m.name) };
});
await step('ollama_bad_token', async () => {
  const bad = new Ollama({ host: base, headers: { Authorization: 'Bearer wrong' } });
  await bad.list();
  return { unexpected: 'accepted' };
});

const openai = new OpenAI({ apiKey: token, baseURL: `${base}/v1`, maxRetries: 0, timeout: 30000 });
await step('openai_chat', async () => {
  const r = await openai.chat.completions.create({ model, messages });
  return { content: r.choices[0].message.content, finish_reason: r.choices[0].finish_reason, completion_tokens: r.usage.completion_tokens };
});
await step('openai_stream', async () => {
  let text = '';
  let chunks = 0;
  let usage = null;
  let finish = null;
  const stream = await openai.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) {
    chunks += 1;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      if (c.delta && c.delta.content) text += c.delta.content;
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  return { content: text, chunks, finish_reason: finish, completion_tokens: usage ? usage.completion_tokens : null };
});
await step('openai_models', async () => {
  const ids = [];
  for await (const m of openai.models.list()) ids.push(m.id);
  return { ids };
});
await step('openai_bad_token', async () => {
  const bad = new OpenAI({ apiKey: 'wrong', baseURL: `${base}/v1`, maxRetries: 0 });
  await bad.models.list();
  return { unexpected: 'accepted' };
});
await step('openai_unknown_model', async () => {
  await openai.chat.completions.create({ model: 'no-such-model', messages });
  return { unexpected: 'accepted' };
});

process.stdout.write(JSON.stringify(out) + '\n');
