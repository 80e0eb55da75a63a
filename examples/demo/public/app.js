// The demo's only script, served from the app itself (/app.js; CSP script-src 'self', no
// inline script). Every page works without it; it adds:
//  - countdowns ([data-countdown]: seconds left) that re-enable the controls they name in
//    data-enables when time is up (resend cooldown, lockout), without a reload;
//  - a copy button ([data-copy]: the id of the element whose <code> items it copies);
//  - a warning before leaving a page with a form marked data-confirm-leave unsubmitted
//    (recovery codes, which are shown once);
//  - security keys and passkeys ([data-webauthn] buttons, which need it): the browser's
//    WebAuthn prompt through @simplewebauthn/browser (served by the app at /assets/, loaded
//    only on pages with such a button); the key's answer goes into the form as JSON.
'use strict';

(() => {
  const announce = (text) => {
    const live = document.getElementById('announce');
    if (live) live.textContent = text;
  };

  // "2 minutes 30 seconds", as the server writes it (views/time.ts).
  const inWords = (ms) => {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const part = (n, unit) => (n ? `${n} ${unit}${n === 1 ? '' : 's'}` : '');
    return [part(h, 'hour'), part(m, 'minute'), h ? '' : part(s, 'second')].filter(Boolean).join(' ') || '0 seconds';
  };

  for (const el of document.querySelectorAll('[data-countdown]')) {
    const end = Date.now() + Number(el.dataset.countdown) * 1000;
    const left = el.querySelector('[data-left]');
    const tick = () => {
      const ms = end - Date.now();
      if (ms > 0) {
        if (left) left.textContent = inWords(ms);
        return;
      }
      clearInterval(timer);
      for (const id of (el.dataset.enables || '').split(' ').filter(Boolean)) {
        const target = document.getElementById(id);
        if (target) target.disabled = false;
      }
      el.textContent = el.dataset.done || '';
      if (el.dataset.done) announce(el.dataset.done);
    };
    const timer = setInterval(tick, 1000);
  }

  for (const button of document.querySelectorAll('[data-copy]')) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const text = [...source.querySelectorAll('code')].map((c) => c.textContent).join('\n');
      try {
        await navigator.clipboard.writeText(`${text}\n`);
        button.textContent = 'Copied';
        announce('Copied to the clipboard.');
      } catch {
        announce('Could not copy. Select the codes and copy them by hand.');
      }
    });
  }

  for (const form of document.querySelectorAll('form[data-confirm-leave]')) {
    let leaving = false;
    form.addEventListener('submit', () => {
      leaving = true;
    });
    window.addEventListener('beforeunload', (event) => {
      if (leaving) return;
      event.preventDefault();
      event.returnValue = ''; // older browsers need it set
    });
  }

  const keyButtons = document.querySelectorAll('[data-webauthn]');
  if (keyButtons.length) {
    const lib = document.createElement('script');
    lib.src = '/assets/simplewebauthn-browser.js';
    lib.addEventListener('load', () => keyButtons.forEach(wireKey));
    document.head.append(lib);
  }

  // What went wrong, in words; nothing from the browser's message is shown.
  const keyError = (e) =>
    e && e.name === 'NotAllowedError' ? 'The key did not answer, or the request was cancelled. Try again, or choose another way.'
    : e && e.name === 'InvalidStateError' ? 'That key is registered already.'
    : 'This browser could not use a security key here.';

  function wireKey(button) {
    const form = document.getElementById(button.dataset.form);
    const status = document.getElementById(button.dataset.status);
    const { startRegistration, startAuthentication } = window.SimpleWebAuthnBrowser;
    button.addEventListener('click', async () => {
      status.hidden = true;
      try {
        const optionsJSON = JSON.parse(button.dataset.options);
        const answer = button.dataset.webauthn === 'register' ? await startRegistration({ optionsJSON }) : await startAuthentication({ optionsJSON });
        form.elements.response.value = JSON.stringify(answer);
        form.submit();
      } catch (e) {
        status.textContent = keyError(e);
        status.hidden = false;
      }
    });
    button.dataset.ready = '';
  }
})();
