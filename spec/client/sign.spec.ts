import { authKeyExpiresArgs, signRequest } from '../../lib/client/sign';

describe('signRequest', () => {
  it('matches the reference test vector', () => {
    const secret = 'chNOOS_KlSRdSoFxCGzIbCMKBhDSY2U8RjzEUNPkThfJ0ptz';
    expect(signRequest(secret, 'GET', '/realtime', 1518064236)).toBe(
      '58a7a8ebd328cf499b5bd25a70c0796590a12cd2e6af419fab8fff015844a1a0',
    );
  });
  it('builds authKeyExpires args with expires in seconds', () => {
    const [key, expires, sig] = authKeyExpiresArgs('k', 's', 1_700_000_000_500, 30);
    expect(key).toBe('k');
    expect(expires).toBe(1_700_000_030);
    expect(sig).toBe(signRequest('s', 'GET', '/realtime', 1_700_000_030));
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
  });
});
