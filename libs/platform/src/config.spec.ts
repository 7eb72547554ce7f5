import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config.js';

const schema = z.object({ PORT: env.port(8080), SECRET: z.string().min(1), URL: z.string().url() });

describe('loadConfig', () => {
  it('returns frozen typed values with defaults applied', () => {
    const config = loadConfig(schema, { SECRET: 's', URL: 'http://x.test' });
    expect(config).toEqual({ PORT: 8080, SECRET: 's', URL: 'http://x.test' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every missing or bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('SECRET');
    expect(message).toContain('URL');
  });
});
