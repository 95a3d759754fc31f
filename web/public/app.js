// The chat page: a WebSocket surface of the Conductor (PROTOCOL.md, version 2, one JSON message per
// text frame). Model output is untrusted: Markdown goes through marked, then DOMPurify, and only
// the sanitized tree reaches the page (the server's Content-Security-Policy backs this up).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const input = $('input');
  const statusEl = $('status');
  const axolotl = $('axolotl');

  // The token arrives in the URL fragment (never sent to the server); keep it for this tab only,
  // and take it out of the address bar and history.
  // Parsed by hand: URLSearchParams would turn the '+' of a base64 token into a space.
  const hashToken = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  const fromHash = hashToken ? decodeURIComponent(hashToken[1]) : null;
  if (fromHash) {
    sessionStorage.setItem('yollayah-token', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  let token = sessionStorage.getItem('yollayah-token');

  // ---- theme ----
  const root = document.documentElement;
  function applyTheme(theme) {
    if (theme) root.dataset.theme = theme;
    else delete root.dataset.theme;
    const dark = theme ? theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    $('hl-light').disabled = dark;
    $('hl-dark').disabled = !dark;
  }
  applyTheme(localStorage.getItem('yollayah-theme'));
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(localStorage.getItem('yollayah-theme')));
  $('theme').addEventListener('click', () => {
    const dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    const next = dark ? 'light' : 'dark';
    localStorage.setItem('yollayah-theme', next);
    applyTheme(next);
  });

  // ---- Markdown, sanitized ----
  const haveMarkdown = () => typeof window.marked !== 'undefined' && typeof window.DOMPurify !== 'undefined';
  if (typeof window.DOMPurify !== 'undefined') {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
  }
  const purifyConfig = {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math'],
    // class stays: marked's language-* names the code's language; our CSS gives classes nothing dangerous.
    FORBID_ATTR: ['style', 'id'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
    RETURN_DOM_FRAGMENT: true,
  };

  // Fills `body` with `text` rendered as sanitized Markdown (or as plain text without the libraries).
  function renderInto(body, text, markdown) {
    if (!markdown || !haveMarkdown()) {
      body.textContent = text;
      return;
    }
    const html = marked.parse(text, { gfm: true, breaks: false, async: false });
    const fragment = DOMPurify.sanitize(html, purifyConfig);
    body.replaceChildren(fragment);
    for (const pre of body.querySelectorAll('pre')) {
      const code = pre.querySelector('code');
      if (code && typeof window.hljs !== 'undefined') {
        const lang = [...code.classList].find((c) => c.startsWith('language-'));
        if (!lang || hljs.getLanguage(lang.slice(9))) hljs.highlightElement(code);
      }
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.className = 'copy';
      copy.textContent = 'Copy';
      copy.addEventListener('click', () => {
        navigator.clipboard.writeText((code || pre).textContent).then(
          () => { copy.textContent = 'Copied'; setTimeout(() => { copy.textContent = 'Copy'; }, 1500); },
          () => { copy.textContent = 'Copy failed'; });
      });
      pre.appendChild(copy);
    }
  }

  // ---- the conversation ----
  const messages = new Map();  // message id → {el, body, meta, text, role, markdown}
  let streamingId = null;
  let pendingRender = new Set();

  function nearBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 80; }
  function scrollDown(force) { if (force || nearBottom()) log.scrollTop = log.scrollHeight; }

  function roleClass(role) {
    if (role === 'User') return 'user';
    if (role === 'Assistant') return 'assistant';
    return 'system';
  }
  function isMarkdown(contentType, role) {
    if (role === 'User') return false;
    return contentType === undefined || contentType === 'Markdown' || contentType === 'Plain' || contentType === null;
  }

  function addMessage(id, role, text, contentType) {
    const stick = nearBottom();
    const el = document.createElement('article');
    el.className = 'msg ' + roleClass(role);
    if (contentType === 'Error') el.classList.add('error');
    el.dataset.id = id;
    const who = document.createElement('div');
    who.className = 'who';
    who.textContent = role === 'User' ? 'You' : role === 'Assistant' ? 'Yollayah' : 'Conductor';
    const body = document.createElement('div');
    body.className = 'body';
    const meta = document.createElement('div');
    meta.className = 'meta';
    el.append(who, body, meta);
    log.appendChild(el);
    const m = { el, body, meta, text: text || '', role, markdown: isMarkdown(contentType, role) };
    messages.set(id, m);
    renderInto(body, m.text, m.markdown);
    scrollDown(stick);
    return m;
  }

  function notice(text, kind) {
    const stick = nearBottom();
    const el = document.createElement('div');
    el.className = 'msg notice' + (kind === 'Error' ? ' error' : '');
    const body = document.createElement('div');
    body.className = 'body';
    body.textContent = text;
    el.appendChild(body);
    log.appendChild(el);
    scrollDown(stick);
  }

  // Tokens arrive faster than frames: re-render each streaming message at most once a frame.
  function scheduleRender(m) {
    pendingRender.add(m);
    if (pendingRender.size === 1) {
      requestAnimationFrame(() => {
        const stick = nearBottom();
        for (const p of pendingRender) renderInto(p.body, p.text, p.markdown);
        pendingRender = new Set();
        scrollDown(stick);
      });
    }
  }

  function setStreaming(id) {
    streamingId = id;
    $('stop').hidden = !id;
    $('send').hidden = !!id;
    axolotl.classList.toggle('responding', !!id);
  }

  function describe(metadata) {
    if (!metadata) return '';
    const parts = [];
    if (metadata.model_id) parts.push(metadata.model_id);
    if (metadata.token_count) parts.push(metadata.token_count + ' tokens');
    if (metadata.tokens_per_second) parts.push(metadata.tokens_per_second.toFixed(1) + ' tok/s');
    if (metadata.elapsed_ms) parts.push((metadata.elapsed_ms / 1000).toFixed(1) + ' s');
    if (metadata.context_hint === 'cancelled') parts.push('stopped');
    else if (metadata.context_hint) parts.push(metadata.context_hint);
    return parts.join(' · ');
  }

  // ---- avatar and tasks ----
  const enumName = (v) => (typeof v === 'string' ? v : Object.keys(v || {})[0] || '').toLowerCase();
  function setMood(mood) {
    for (const c of [...axolotl.classList]) if (c.startsWith('mood-')) axolotl.classList.remove(c);
    axolotl.classList.add('mood-' + enumName(mood));
  }
  let gestureTimer = null;
  function flash(cls, ms) {
    for (const c of [...axolotl.classList]) if (c.startsWith('gesture-') || c.startsWith('react-')) axolotl.classList.remove(c);
    axolotl.classList.add(cls);
    clearTimeout(gestureTimer);
    gestureTimer = setTimeout(() => axolotl.classList.remove(cls), Math.max(300, Math.min(ms || 1500, 5000)));
  }

  const tasks = new Map();
  function taskRow(id) {
    let t = tasks.get(id);
    if (!t) {
      const li = document.createElement('li');
      const title = document.createElement('div');
      const bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      const note = document.createElement('div');
      note.className = 'muted';
      li.append(title, bar, note);
      $('task-list').appendChild(li);
      t = { li, title, bar, note, open: true };
      tasks.set(id, t);
    }
    return t;
  }
  function updateTaskCount() {
    const open = [...tasks.values()].filter((t) => t.open).length;
    $('task-count').textContent = open ? '(' + open + ')' : '';
    $('no-tasks').hidden = tasks.size > 0;
  }
  function showTasks(show) {
    $('tasks').hidden = !show;
    $('tasks-toggle').setAttribute('aria-expanded', String(show));
  }
  $('tasks-toggle').addEventListener('click', () => showTasks($('tasks').hidden));

  // ---- the connection ----
  let ws = null;
  let nextEvent = 1;
  let backoff = 500;
  let refused = false;
  let everConnected = false;
  const eventId = () => 'web_' + Date.now().toString(36) + '_' + (nextEvent++);

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text || state;
    document.body.dataset.connection = state;
  }

  function send(obj) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  function connect() {
    if (!token) {
      setStatus('refused', 'no token');
      askToken();
      return;
    }
    setStatus(everConnected ? 'reconnecting' : 'connecting', everConnected ? 'reconnecting…' : 'connecting…');
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    const socket = new WebSocket(url);
    ws = socket;
    socket.addEventListener('open', () => {
      send({ Handshake: {
        event_id: eventId(), protocol_version: 2, surface_type: 'Web',
        capabilities: { color: true, avatar: true, avatar_animations: true, tasks: true, streaming: true, images: false,
          audio: false, rich_text: true, pointer_input: true, keyboard_input: true, clipboard: !!navigator.clipboard,
          max_width: 0, max_height: 0 },
        auth_token: token } });
    });
    socket.addEventListener('message', (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch (_) { return; }
      handle(m);
    });
    socket.addEventListener('close', () => {
      if (ws !== socket) return;
      ws = null;
      setStreaming(null);
      if (refused) return;
      setStatus(everConnected ? 'reconnecting' : 'offline', everConnected ? 'reconnecting…' : 'offline');
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    });
  }

  function handle(m) {
    if (typeof m === 'string') {
      if (m === 'QueryCapabilities') return;
      return;
    }
    const [kind] = Object.keys(m);
    const v = m[kind];
    switch (kind) {
      case 'HandshakeAck':
        if (!v.accepted) {
          refused = true;
          setStatus('refused', 'refused');
          notice('The Conductor refused this page: ' + (v.rejection_reason || 'no reason given'), 'Error');
          sessionStorage.removeItem('yollayah-token');
          token = null;
          askToken();
          return;
        }
        everConnected = true;
        backoff = 500;
        setStatus('online', 'online');
        return;
      case 'Ping':
        send({ Pong: { seq: v.seq } });
        return;
      case 'SessionInfo':
        $('session').textContent = (v.model ? 'model ' + v.model : 'no model yet') + (v.history === false ? ' · history off' : '');
        return;
      case 'State':
        if (v.state === 'Thinking') setMood('Thinking');
        else if (v.state === 'Ready') { setStreaming(null); if (axolotl.classList.contains('mood-thinking')) setMood('Happy'); }
        return;
      case 'StateSnapshot':
        log.replaceChildren();
        messages.clear();
        for (const h of v.conversation_history || []) addMessage(h.id, h.role, h.content, h.content_type);
        if (v.session_info && v.session_info.model) $('session').textContent = 'model ' + v.session_info.model;
        if (v.avatar_state && v.avatar_state.mood) setMood(v.avatar_state.mood);
        scrollDown(true);
        return;
      case 'Resync':
        notice('Fell behind; caught up from a snapshot.');
        return;
      case 'HistoryList': {
        // What /history answers a version-2 surface (the TUI's picker); this page lists it as a note.
        const lines = (v.entries || []).map((e, i) => (i + 1) + '. ' + (e.title || e.first_line || '(untitled)') +
          (e.model ? ' · ' + e.model : '') + ' · ' + e.message_count + ' messages' + (e.current ? ' · open now' : ''));
        addMessage('history-' + Date.now(), 'System', lines.length
          ? 'Recent conversations (/open N switches to one):\n\n' + lines.join('\n')
          : 'No conversations saved yet.', 'System');
        return;
      }
      case 'SearchResults': {
        // What /search answers a version-2 surface (the TUI's picker); this page lists it as a note.
        const found = (v.entries || []).map((e, i) => (i + 1) + '. ' + (e.conversation_title || '(untitled)') + ' · ' +
          e.role + '\n   ' + e.snippet + '\n   /open ' + e.conversation_id);
        addMessage('search-' + Date.now(), 'System', found.length
          ? found.length + (found.length === 1 ? ' match' : ' matches') + ' for "' + v.query + '":\n\n' + found.join('\n')
          : 'No message matches "' + v.query + '".', 'System');
        return;
      }
      case 'Message':
        if (!messages.has(v.id)) addMessage(v.id, v.role, v.content, v.content_type);
        return;
      case 'Token': {
        let t = messages.get(v.message_id);
        if (!t) t = addMessage(v.message_id, 'Assistant', '', 'Markdown');
        t.el.classList.add('streaming');
        t.text += v.text;
        setStreaming(v.message_id);
        scheduleRender(t);
        return;
      }
      case 'StreamEnd': {
        let t = messages.get(v.message_id);
        if (!t) t = addMessage(v.message_id, 'Assistant', '', 'Markdown');
        t.el.classList.remove('streaming');
        t.text = v.final_content;
        pendingRender.delete(t);
        renderInto(t.body, t.text, t.markdown);
        t.meta.textContent = describe(v.metadata);
        if (v.metadata && v.metadata.context_hint === 'cancelled') t.el.classList.add('interrupted');
        t.el.dataset.done = 'true';
        if (streamingId === v.message_id) setStreaming(null);
        scrollDown(false);
        return;
      }
      case 'StreamError': {
        const t = messages.get(v.message_id);
        if (t) {
          t.el.classList.remove('streaming');
          t.el.classList.add('interrupted');
          renderInto(t.body, t.text, t.markdown);
          t.meta.textContent = 'interrupted: ' + v.error;
          t.el.dataset.done = 'true';
        } else {
          notice(v.error, 'Error');
        }
        setStreaming(null);
        return;
      }
      case 'Notify':
        notice((v.title ? v.title + ': ' : '') + v.message, v.level);
        return;
      case 'AvatarMood': setMood(v.mood); return;
      case 'AvatarGesture': flash('gesture-' + enumName(v.gesture), v.duration_ms); return;
      case 'AvatarReact': flash('react-' + enumName(v.reaction), v.duration_ms); return;
      case 'AvatarVisibility': axolotl.classList.toggle('hidden', !v.visible); return;
      case 'TaskCreated': {
        const t = taskRow(v.task_id);
        t.title.textContent = v.agent + ': ' + v.description;
        showTasks(true);
        updateTaskCount();
        return;
      }
      case 'TaskUpdated': {
        const t = taskRow(v.task_id);
        t.bar.value = v.progress;
        if (v.status_message) t.note.textContent = v.status_message;
        return;
      }
      case 'TaskCompleted': {
        const t = taskRow(v.task_id);
        t.open = false;
        t.bar.value = 100;
        t.li.className = 'done';
        t.note.textContent = v.summary || 'done';
        updateTaskCount();
        return;
      }
      case 'TaskFailed': {
        const t = taskRow(v.task_id);
        t.open = false;
        t.li.className = 'failed';
        t.note.textContent = v.error;
        updateTaskCount();
        return;
      }
      case 'Quit':
        notice(v.message ? 'The Conductor is stopping: ' + v.message : 'The Conductor is stopping.');
        return;
      default:
        return;
    }
  }

  // ---- input ----
  function autosize() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 12 * 24) + 'px';
  }
  function submit() {
    const text = input.value;
    if (!text.trim() || streamingId) return;
    // "/history", "/open 2": a command for the Conductor, split as the TUI does ("//" is text).
    const words = text.trim().split(/\s+/);
    const command = /^\/[^/\s]/.test(words[0])
      ? { UserCommand: { event_id: eventId(), command: words[0].slice(1), args: words.slice(1) } }
      : null;
    if (!send(command || { UserMessage: { event_id: eventId(), content: text } })) {
      notice('Not connected: the message was not sent.', 'Error');
      return;
    }
    input.value = '';
    autosize();
  }
  function stop() {
    if (streamingId) send({ CancelResponse: { event_id: eventId() } });
  }
  $('composer').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  $('stop').addEventListener('click', stop);
  input.addEventListener('input', autosize);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); stop(); }
    else if (e.key === 't' && e.altKey) { e.preventDefault(); showTasks($('tasks').hidden); }
    else if (e.key === '/' && document.activeElement !== input) { e.preventDefault(); input.focus(); }
  });

  // ---- the token dialog ----
  function askToken() {
    const dialog = $('login');
    if (!dialog.open) dialog.showModal();
  }
  $('login-form').addEventListener('submit', () => {
    const value = $('login-token').value.trim();
    if (!value) return;
    token = value;
    sessionStorage.setItem('yollayah-token', value);
    refused = false;
    connect();
  });

  updateTaskCount();
  connect();
  input.focus();
})();
