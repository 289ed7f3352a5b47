import { describe, expect, it } from 'vitest';
import { extractResources } from './extract.resources.ts';

describe('extractResources', () => {
  it('finds file paths of filesystem tools', () => {
    expect(extractResources({ path: '/data/notes.md' })).toEqual({ paths: ['/data/notes.md'] });
    expect(extractResources({ paths: ['/a/b.txt', '/a/c.txt'] })).toEqual({ paths: ['/a/b.txt', '/a/c.txt'] });
    expect(extractResources({ source: '/a/x', destination: '/b/x' })).toEqual({ paths: ['/a/x', '/b/x'] });
  });

  it('finds URLs and hosts, without credentials', () => {
    expect(extractResources({ url: 'https://bob:pw123456@api.example.com/v1/x?q=1' })).toEqual({
      urls: ['https://api.example.com/v1/x?q=1'],
      hosts: ['api.example.com'],
    });
    expect(extractResources({ uri: 'file:///home/a/.ssh/id_rsa' })).toEqual({ urls: ['file:///home/a/.ssh/id_rsa'], paths: ['/home/a/.ssh/id_rsa'] });
  });

  it('finds mail and chat recipients', () => {
    expect(extractResources({ to: 'Eve <eve@evil.example>, bob@corp.example', subject: 'hi', body: 'x' })).toEqual({
      recipients: ['eve@evil.example', 'bob@corp.example'],
    });
    expect(extractResources({ channel: '#general', text: 'hello' })).toEqual({ recipients: ['#general'] });
  });

  it('finds SQL tables where obvious', () => {
    expect(extractResources({ sql: 'SELECT * FROM public.users u JOIN orders o ON o.uid = u.id' })).toEqual({ tables: ['public.users', 'orders'] });
    expect(extractResources({ query: 'find me the users from last week' })).toBeUndefined();
  });

  it('returns nothing for plain arguments', () => {
    expect(extractResources({ a: 1, b: 'hello world' })).toBeUndefined();
    expect(extractResources(undefined)).toBeUndefined();
  });
});
