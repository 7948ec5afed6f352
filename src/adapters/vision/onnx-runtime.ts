// The one place onnxruntime-node is loaded. Its native library writes a telemetry database and a device id under
// ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ as it loads unless ORT_DISABLE_TELEMETRY is set, and an appliance
// that promises nothing leaves the shop must not keep either: the variable is set here, in this process, before
// the module is imported (a static import would be evaluated before any statement of the importer could run).
import type * as OrtModule from 'onnxruntime-node';

process.env['ORT_DISABLE_TELEMETRY'] = '1';

export const ort: typeof OrtModule = await import('onnxruntime-node');
