// SecureYeoman example gateway pages. Plain script, no build step, no inline code (the CSP forbids it).
// The refresh token never reaches this script: it lives in an HttpOnly, SameSite=Strict cookie. The short-lived access
// token is kept in sessionStorage (this tab only) and renewed through the cookie when it expires.
'use strict';

const REMEMBER_KEY = 'sy.rememberMe';   // localStorage: the checkbox state survives reloads and restarts
const SESSION_KEY = 'sy.session';       // sessionStorage: access token, expiry, user name, remember-me choice
const WARN_BEFORE_MS = 5 * 60 * 1000;   // warn this long before a non-remembered session ends

const $ = (id) => document.getElementById(id);
const show = (id, on = true) => { const el = $(id); if (el) el.hidden = !on; };

function showError(text) {
  const el = $('error');
  if (!el) return;
  el.textContent = text || '';
  el.hidden = !text;
}

function errorText(res) {
  const body = res.json || {};
  const details = Array.isArray(body.details) && body.details.length ? ' (' + body.details.join('; ') + ')' : '';
  if (res.status === 429) return 'Too many attempts. Try again in ' + (res.retryAfter || 'a few') + ' seconds.';
  return (body.error || ('request failed: ' + res.status)) + details;
}

async function api(path, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(path, {
    method: 'POST', headers, credentials: 'same-origin', body: body === undefined ? '' : JSON.stringify(body),
  });
  let json = null;
  try { json = await r.json(); } catch (e) { json = null; }
  return { status: r.status, json, retryAfter: r.headers.get('Retry-After') };
}

function loadSession() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)); } catch (e) { return null; }
}

function saveSession(tokens, username, rememberMe) {
  const s = {
    accessToken: tokens.accessToken,
    accessExpiresAt: Date.now() + tokens.expiresIn * 1000,
    sessionExpiresAt: tokens.sessionExpiresAt,
    username, rememberMe,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  return s;
}

// A valid access token: the stored one, or a new one from the refresh cookie.
async function accessToken() {
  const s = loadSession();
  if (s && s.accessExpiresAt - 15000 > Date.now()) return s.accessToken;
  const res = await api('/api/v1/auth/refresh');
  if (res.status !== 200) { sessionStorage.removeItem(SESSION_KEY); return null; }
  const next = saveSession(res.json, s ? s.username : '', s ? s.rememberMe : false);
  return next.accessToken;
}

function scheduleSessionWarning(s) {
  const el = $('session-warning');
  if (!el || !s || s.rememberMe) return;   // remembered sessions last 30 days: no timeout warning
  const endsAt = Date.parse(s.sessionExpiresAt);
  const warn = () => {
    el.textContent = 'Your session ends at ' + new Date(endsAt).toLocaleTimeString() + '. Sign in again to keep working.';
    el.hidden = false;
  };
  const wait = endsAt - WARN_BEFORE_MS - Date.now();
  if (wait <= 0) warn(); else setTimeout(warn, Math.min(wait, 2147483647));
}

function showSignedIn(s) {
  show('login-form', false);
  show('mfa-form', false);
  $('who').textContent = s.username || 'you';
  $('session-ends').textContent = new Date(s.sessionExpiresAt).toLocaleString();
  show('signed-in');
  scheduleSessionWarning(s);
}

function initLogin() {
  const remember = $('remember-me');
  remember.checked = localStorage.getItem(REMEMBER_KEY) === 'true';
  remember.addEventListener('change', () => localStorage.setItem(REMEMBER_KEY, String(remember.checked)));
  let challenge = null;
  let username = '';

  const existing = loadSession();
  if (existing) showSignedIn(existing);

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('');
    username = $('username').value;
    const res = await api('/api/v1/auth/login',
      { username, password: $('password').value, rememberMe: remember.checked });
    $('password').value = '';
    if (res.status !== 200) { showError(errorText(res)); return; }
    if (res.json.mfaRequired) {
      challenge = res.json.challengeToken;
      show('login-form', false);
      show('mfa-form');
      $('mfa-code').focus();
      return;
    }
    showSignedIn(saveSession(res.json, username, remember.checked));
  });

  $('mfa-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('');
    const value = $('mfa-code').value.trim();
    const body = /^[0-9]{6,8}$/.test(value)
      ? { challengeToken: challenge, code: value }
      : { challengeToken: challenge, recoveryCode: value };
    const res = await api('/api/v1/auth/login/mfa', body);
    $('mfa-code').value = '';
    if (res.status !== 200) { showError(errorText(res)); return; }
    showSignedIn(saveSession(res.json, username, remember.checked));
  });

  $('logout').addEventListener('click', async () => {
    const token = await accessToken();
    if (token) await api('/api/v1/auth/logout', undefined, token);
    sessionStorage.removeItem(SESSION_KEY);
    show('signed-in', false);
    show('session-warning', false);
    show('login-form');
  });
}

async function init2fa() {
  const token = await accessToken();
  if (!token) { show('need-login'); return; }
  show('setup');
  show('disable');
  $('setup-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('');
    const res = await api('/api/v1/auth/2fa/setup',
      { currentPassword: $('setup-password').value }, await accessToken());
    $('setup-password').value = '';
    if (res.status !== 200) { showError(errorText(res)); return; }
    $('qr').src = res.json.qrCode;                 // a data: PNG rendered by the server (ZXing)
    $('manual-key').textContent = res.json.manualEntryKey;
    show('setup', false);
    show('disable', false);
    show('enroll');
  });
  $('enable-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('');
    const res = await api('/api/v1/auth/2fa/enable',
      { code: $('enable-code').value.trim() }, await accessToken());
    if (res.status !== 200) { showError(errorText(res)); return; }
    const list = $('recovery-codes');
    list.replaceChildren(...res.json.recoveryCodes.map((c) => {
      const li = document.createElement('li');
      li.textContent = c;
      return li;
    }));
    show('enroll', false);
    show('recovery');
  });
  $('disable-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('');
    const res = await api('/api/v1/auth/2fa/disable',
      { password: $('disable-password').value, code: $('disable-code').value.trim() }, await accessToken());
    $('disable-password').value = '';
    if (res.status !== 200) { showError(errorText(res)); return; }
    $('message').textContent = 'Two-factor authentication is off.';
    show('message');
  });
}

async function initReset() {
  const token = await accessToken();
  if (!token) { show('need-login'); return; }
  show('reset-form');
  $('reset-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('');
    if ($('new-password').value !== $('confirm-password').value) { showError('The new passwords differ.'); return; }
    const res = await api('/api/v1/auth/reset-password',
      { currentPassword: $('current-password').value, newPassword: $('new-password').value }, await accessToken());
    for (const id of ['current-password', 'new-password', 'confirm-password']) $(id).value = '';
    if (res.status !== 200) { showError(errorText(res)); return; }
    sessionStorage.removeItem(SESSION_KEY);
    show('reset-form', false);
    $('message').textContent = 'Password changed. Every session has ended: sign in again with the new password.';
    show('message');
  });
}

document.addEventListener('DOMContentLoaded', () => {
  const page = document.body.dataset.page;
  if (page === 'login') initLogin();
  else if (page === '2fa') init2fa();
  else if (page === 'reset-password') initReset();
});
