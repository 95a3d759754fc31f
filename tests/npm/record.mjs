// A two-turn chat with each official client, the way applications hold a conversation: every turn
// resends the messages so far with the answer the client received. Run by
// tests/gateway/record_test.cpp against a gateway with [gateway] record on:
// `node record.mjs BASE_URL TOKEN MODEL`; prints one JSON object with the answers, in order.
import { Ollama } from 'ollama';
import OpenAI from 'openai';

const [base, token, model] = process.argv.slice(2);

const openai = new OpenAI({ apiKey: token, baseURL: `${base}/v1`, maxRetries: 0, timeout: 30000 });
const openaiMessages = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi from openai' }];
const first = await openai.chat.completions.create({ model, messages: openaiMessages });
openaiMessages.push(first.choices[0].message, { role: 'user', content: 'and then?' });
let second = '';
for await (const chunk of await openai.chat.completions.create({ model, messages: openaiMessages, stream: true })) {
  for (const c of chunk.choices) if (c.delta && c.delta.content) second += c.delta.content;
}

const ollama = new Ollama({ host: base, headers: { Authorization: `Bearer ${token}` } });
const ollamaMessages = [{ role: 'user', content: 'hi from ollama' }];
let third = '';
for await (const part of await ollama.chat({ model, messages: ollamaMessages, stream: true })) third += part.message.content;
ollamaMessages.push({ role: 'assistant', content: third }, { role: 'user', content: 'more' });
const fourth = await ollama.chat({ model, messages: ollamaMessages, stream: false });

process.stdout.write(
  JSON.stringify({ openai: [first.choices[0].message.content, second], ollama: [third, fourth.message.content] }) + '\n',
);
