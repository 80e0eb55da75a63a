import type { FieldError } from '../session.js';
import { html, type SafeHtml } from './html.js';

/** What a form needs to show an error at its input and to put the focus where work is due. */
export interface FormState {
  error?: FieldError;
  /** The id of the input that gets `autofocus` (one per page). */
  focus?: string;
}

/** Focus goes to the input with an error, else to `fallback`. */
export function formState(error: FieldError | undefined, fallback?: string): FormState {
  const focus = error?.field ?? fallback;
  return { ...(error ? { error } : {}), ...(focus ? { focus } : {}) };
}

export interface InputSpec {
  id: string;
  label: string;
  name: string;
  type?: 'text' | 'email' | 'password' | 'tel';
  autocomplete: string;
  inputmode?: 'numeric' | 'text';
  value?: string;
  minlength?: number;
  maxlength?: number;
  placeholder?: string;
  /** Not required (e.g. a password only asked for when needed). Default: required. */
  optional?: boolean;
}

/**
 * A labelled input. An error about it is shown between label and input and tied to it with
 * aria-invalid and aria-describedby, so a screen reader reads it with the field.
 */
export function input(spec: InputSpec, state: FormState): SafeHtml {
  const error = state.error?.field === spec.id ? state.error : undefined;
  const errorId = `${spec.id}-error`;
  return html`<label for="${spec.id}">${spec.label}</label>
${error ? html`<p class="field-error" id="${errorId}">${error.text}</p>` : ''}<input type="${spec.type ?? 'text'}" id="${spec.id}" name="${spec.name}" autocomplete="${spec.autocomplete}"${attr('inputmode', spec.inputmode)}${attr('value', spec.value)}${attr('minlength', spec.minlength)}${attr('maxlength', spec.maxlength)}${attr('placeholder', spec.placeholder)}${spec.optional ? '' : html` required`}${error ? html` aria-invalid="true" aria-describedby="${errorId}"` : ''}${state.focus === spec.id ? html` autofocus` : ''}>`;
}

function attr(name: string, value: string | number | undefined): SafeHtml | '' {
  return value === undefined ? '' : html` ${name}="${value}"`;
}

/**
 * A password confirmation: the password field plus a hidden username field, so password
 * managers know which account's password to fill in.
 */
export function passwordConfirm(id: string, email: string, state: FormState, label = 'Confirm with your password', name = 'password'): SafeHtml {
  return html`${usernameField(email)}
${input({ id, label, name, type: 'password', autocomplete: 'current-password' }, state)}`;
}

/** The account's name, hidden, for password managers (a password form without it leaves them guessing). */
export const usernameField = (email: string): SafeHtml => html`<input type="text" autocomplete="username" value="${email}" hidden>`;
