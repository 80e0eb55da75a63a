import type { MessageSender, Store, Verifier } from '@twofa/core';
import type { DemoConfig } from './config.js';

/** Reads required variables, naming the missing ones (never printing values). `what`: the setting that needs them. */
function needFor(what: string, config: DemoConfig, names: string[]): string[] {
  const missing = names.filter((n) => !config.env[n]);
  if (missing.length) throw new Error(`${what} needs ${missing.join(', ')} (see .env.example).`);
  return names.map((n) => config.env[n]!);
}

const need = (config: DemoConfig, ...names: string[]) => needFor(`TWOFA_SMS=${config.sms}`, config, names);

/**
 * The provider picked by TWOFA_SMS: a hosted Verifier, or a MessageSender for
 * localVerifier. Imported lazily so the default demo loads no provider SDK.
 */
export async function providerFor(config: DemoConfig): Promise<{ verifier?: Verifier; sender?: MessageSender }> {
  switch (config.sms) {
    case 'twilio-verify': {
      const [accountSid, authToken, serviceSid] = need(config, 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_VERIFY_SERVICE_SID');
      const { twilioVerify } = await import('@twofa/twilio');
      return { verifier: twilioVerify({ accountSid: accountSid!, authToken: authToken!, serviceSid: serviceSid!, channels: config.channels }) };
    }
    case 'twilio-messages': {
      const [accountSid, authToken, from] = need(config, 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM');
      const { twilioMessages } = await import('@twofa/twilio');
      return { sender: twilioMessages({ accountSid: accountSid!, authToken: authToken!, from: from! }) };
    }
    case 'vonage-verify': {
      const [applicationId, privateKey] = need(config, 'VONAGE_APPLICATION_ID', 'VONAGE_PRIVATE_KEY_PATH');
      const { vonageVerify } = await import('@twofa/vonage');
      return { verifier: vonageVerify({ applicationId: applicationId!, privateKey: privateKey!, brand: config.env.VONAGE_BRAND || 'twofa demo', channels: config.channels }) };
    }
    case 'vonage-sms': {
      const [apiKey, apiSecret, from] = need(config, 'VONAGE_API_KEY', 'VONAGE_API_SECRET', 'VONAGE_FROM');
      const { vonageSms } = await import('@twofa/vonage');
      return { sender: vonageSms({ apiKey: apiKey!, apiSecret: apiSecret!, from: from! }) };
    }
    default:
      throw new Error(`TWOFA_SMS=${config.sms} is not a known provider.`);
  }
}

/**
 * TWOFA_EMAIL=smtp: @twofa/smtp's sender on SMTP_HOST (port 587 with STARTTLS, or 465 with
 * TLS), with SMTP_USER / SMTP_PASSWORD when the server wants a login. Closed on exit.
 */
export async function smtpSenderFor(config: DemoConfig): Promise<MessageSender & { close(): void }> {
  const [host, from] = needFor('TWOFA_EMAIL=smtp', config, ['SMTP_HOST', 'SMTP_FROM']);
  const port = Number(config.env.SMTP_PORT || 587);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('SMTP_PORT must be a port number.');
  const { SMTP_USER: user, SMTP_PASSWORD: pass } = config.env;
  const { smtpSender } = await import('@twofa/smtp');
  return smtpSender({
    transport: { host: host!, port, secure: port === 465, ...(user ? { auth: { user, pass: pass ?? '' } } : {}) },
    from: from!,
  });
}

/** The store picked by TWOFA_STORE (memory is built in; see twofa.ts). Closed by the demo on exit. */
export async function storeFor(config: DemoConfig): Promise<Store> {
  switch (config.store) {
    case 'redis': {
      const { redisStore } = await import('@twofa/store-redis');
      return redisStore({ url: config.redisUrl, prefix: 'twofa-demo:' });
    }
    case 'postgres': {
      const { postgresStore } = await import('@twofa/store-postgres');
      const store = postgresStore({ connectionString: config.databaseUrl, schema: 'twofa_demo' });
      await store.migrate(); // a real deploy runs `twofa-postgres migrate` as its own step
      return store;
    }
    default:
      throw new Error(`TWOFA_STORE=${config.store} needs no adapter.`);
  }
}
