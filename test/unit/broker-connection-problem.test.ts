// What the status strip says when the broker connection fails: the real OpenSSL/Node/mqtt.js messages (as seen
// against the dev mosquitto) map to plain words that name the side at fault, and nothing secret is echoed.
import { describe, expect, it } from 'vitest';
import { describeBrokerProblem } from '../../src/adapters/mqtt/connection-problem.js';

const SSL = (alert: string, n: number) =>
  `80ECCCADA97F0000:error:0A000414:SSL routines:ssl3_read_bytes:${alert}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number ${n}`;

describe('describeBrokerProblem', () => {
  it.each([
    [SSL('sslv3 alert certificate revoked', 44), /refused this appliance's certificate: it has been revoked/],
    [SSL('tlsv1 alert unknown ca', 48), /refused this appliance's certificate \(revoked or unknown\)/],
    [SSL('sslv3 alert bad certificate', 42), /refused this appliance's certificate \(revoked or unknown\)/],
    [SSL('sslv3 alert certificate expired', 45), /this appliance's certificate: it has expired/],
    [SSL('tlsv13 alert certificate required', 116), /none was sent/],
    ['self-signed certificate in certificate chain', /not signed by the certificate authority this appliance trusts/],
    ['unable to verify the first certificate', /not signed by the certificate authority/],
    ['certificate has expired', /broker's certificate has expired/],
    ["Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list", /another name/],
    ['Connection refused: Not authorized', /not authorised/],
    ['connect ECONNREFUSED 127.0.0.1:8883', /not accepting connections/],
    ['getaddrinfo ENOTFOUND broker.invalid', /cannot be found/],
    ['connect ETIMEDOUT 10.1.2.3:8883', /does not answer/],
    ['read ECONNRESET', /closed the connection/],
  ])('%s', (message, words) => {
    expect(describeBrokerProblem(message)).toMatch(words);
  });

  it('keeps an unknown message, without credentials in a URL', () => {
    const d = describeBrokerProblem('weird failure at mqtts://device:s3cret@broker:8883\nsecond line');
    expect(d).toMatch(/^the connection to the broker failed: weird failure/);
    expect(d).not.toContain('s3cret');
    expect(d).not.toContain('second line');
  });
});
