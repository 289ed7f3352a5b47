// A Python virtual environment in the stack folder with the MCP Python SDK v2 and the OpenTelemetry
// SDK and OTLP/HTTP exporter, installed from PyPI on first use (the test installs what it needs).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Versions the test was written against: the SDK's own OpenTelemetry middleware arrived with mcp 2. */
const PACKAGES = ['mcp>=2,<3', 'opentelemetry-sdk>=1.40,<2', 'opentelemetry-exporter-otlp-proto-http>=1.40,<2'];

/** The venv's python, installing the packages when they are missing. */
export function otlpPython(stackDir: string): string {
  const venv = join(stackDir, 'venv-otlp');
  const python = join(venv, 'bin', 'python');
  const ready = () => {
    try {
      execFileSync(python, ['-c', 'import mcp.server._otel, opentelemetry.exporter.otlp.proto.http.trace_exporter'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(python) && ready()) return python;
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit', timeout: 120_000 });
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PACKAGES], { stdio: 'inherit', timeout: 600_000 });
  if (!ready()) throw new Error(`the Python packages did not install into ${venv}`);
  return python;
}
