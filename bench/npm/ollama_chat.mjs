// One streamed chat through the official ollama npm client, the way its README shows it: every
// part's content is written to stdout as it arrives. Used by bench/ask_vs_peers.sh.
//   node bench/npm/ollama_chat.mjs HOST MODEL PROMPT
import { Ollama } from 'ollama';

const [host, model, prompt] = process.argv.slice(2);
const client = new Ollama({ host });
const stream = await client.chat({ model, messages: [{ role: 'user', content: prompt }], stream: true });
for await (const part of stream) process.stdout.write(part.message.content);
process.stdout.write('\n');
