/**
 * Which tests to skip on a target, decided the way MicroPython's run-tests.py decides it for a
 * bare-metal board: feature probes (tests/feature_check/*.py, run once per firmware) and rules on
 * test names and paths. Pure functions: the probe outputs come in, decisions come out.
 */

/** The feature probes run on each firmware before the suite, in this order (files in tests/feature_check/). */
export const PROBES = [
    'target_info.py',
    'inlineasm_rv32.py',
    'inlineasm_thumb.py',
    'inlineasm_xtensa.py',
    'inlineasm_thumb2.py',
    'native_check.py',
    'int_big.py',
    'bytearray.py',
    'set_check.py',
    'slice.py',
    'async_check.py',
    'const.py',
    'reverse_ops.py',
    'io_module.py',
    'fstring.py',
    'byteorder.py',
    'float.py',
    'complex.py',
    'coverage.py',
] as const;

export type ProbeName = (typeof PROBES)[number];

/** Raw probe outputs (`\n` line ends; a crashed probe ends in CRASH). */
export type ProbeOutputs = Partial<Record<ProbeName, string>>;

/** What the target supports, as the suite's skip rules need it. */
export interface Features {
    platform: string;
    arch: string | null;
    inlineAsmArch: 'rv32' | 'thumb' | 'xtensa' | null;
    thumb2: boolean;
    native: boolean;
    intBig: boolean;
    bytearray: boolean;
    set: boolean;
    slice: boolean;
    async: boolean;
    const: boolean;
    reverseOps: boolean;
    ioModule: boolean;
    fstring: boolean;
    /** The target's byte order is the host CPython's (else `*_endian` tests are skipped). */
    sameByteOrder: boolean;
    /** Float precision in bits: 0 (no float), 30, 32 or 64. */
    floatBits: number;
    complex: boolean;
    coverage: boolean;
}

/** Platforms of the unix/windows ports (sys.platform values), as run-tests.py names them. */
const PC_PLATFORMS = ['darwin', 'linux', 'win32'];

/** Interprets probe outputs; `hostByteOrder` is CPython's output of feature_check/byteorder.py. */
export function featuresFromProbes(p: ProbeOutputs, hostByteOrder: string): Features {
    const info = (p['target_info.py'] ?? '').trim().split(/\s+/);
    const platform = info.length === 2 && !(p['target_info.py'] ?? '').endsWith('CRASH') ? info[0] : 'unknown';
    const arch = info.length === 2 && info[1] !== 'None' ? info[1] : null;
    let inlineAsmArch: Features['inlineAsmArch'] = null;
    for (const a of ['rv32', 'thumb', 'xtensa'] as const) {
        if ((p[`inlineasm_${a}.py`] ?? '').trim() === a) {
            inlineAsmArch = a;
            break;
        }
    }
    const floatBits = Number.parseInt((p['float.py'] ?? '').trim(), 10);
    return {
        platform,
        arch,
        inlineAsmArch,
        thumb2: inlineAsmArch === 'thumb' && p['inlineasm_thumb2.py'] === 'thumb2\n',
        native: p['native_check.py'] === 'native\n',
        intBig: p['int_big.py'] === '1000000000000000000000000000000000000000000000\n',
        bytearray: p['bytearray.py'] === 'bytearray\n',
        set: p['set_check.py'] === '{1}\n',
        slice: p['slice.py'] === 'slice\n',
        async: p['async_check.py'] === 'async\n',
        const: p['const.py'] === '1\n',
        reverseOps: p['reverse_ops.py'] !== 'TypeError\n',
        ioModule: p['io_module.py'] === 'io\n',
        fstring: p['fstring.py'] === 'a=1\n',
        sameByteOrder: p['byteorder.py'] === hostByteOrder,
        floatBits: Number.isFinite(floatBits) ? floatBits : 0,
        complex: p['complex.py'] === 'complex\n',
        coverage: p['coverage.py'] === 'coverage\n',
    };
}

/** Tests that use slicing without saying so in their name. */
const USES_SLICE = new Set([
    'builtin_range', 'bytearray1', 'class_super', 'containment', 'errno1', 'fun_str', 'generator1',
    'globals_del', 'memoryview1', 'memoryview_gc', 'object1', 'python34', 'string_format_modulo',
    'struct_endian',
]);

/** Per-platform exclusions of run-tests.py that apply to the rp2 port. */
const PLATFORM_SKIPS: Record<string, string[]> = {
    rp2: ['thread/stress_heap.py', 'thread/thread_lock2.py', 'thread/thread_lock3.py', 'thread/thread_shared2.py'],
};

const THUMB2_TESTS = [
    'asmbcc', 'asmbitops', 'asmconst', 'asmdiv', 'asmfpaddsub', 'asmfpcmp', 'asmfpldrstr', 'asmfpmuldiv',
    'asmfpsqrt', 'asmit', 'asmspecialregs',
].map((n) => `inlineasm/thumb/${n}.py`);

/** Skips by exact test id with their reason, for the given target. */
export function skipList(f: Features): Map<string, string> {
    const m = new Map<string, string>();
    const add = (ids: string[], why: string): void => ids.forEach((id) => m.set(id, why));
    if (f.inlineAsmArch === 'thumb' && !f.thumb2) add(THUMB2_TESTS, 'no Thumb-2 inline assembler');
    if (f.floatBits === 0) {
        add(['extmod/uctypes_le_float.py', 'extmod/uctypes_native_float.py', 'extmod/uctypes_sizeof_float.py',
            'extmod/json_dumps_float.py', 'extmod/json_loads_float.py', 'extmod/random_extra_float.py',
            'misc/rge_sm.py'], 'no float');
    }
    if (f.floatBits < 32) {
        add(['float/float2int_intbig.py', 'float/string_format.py', 'float/bytes_construct.py',
            'float/bytearray_construct.py', 'float/float_format_ints_power10.py'], 'float precision below 32 bits');
    }
    if (f.floatBits < 64) {
        add(['float/float_divmod.py', 'float/float2int_doubleprec_intbig.py', 'float/float_format_ints_doubleprec.py',
            'float/float_parse_doubleprec.py'], 'float precision below 64 bits');
    }
    if (!f.complex) {
        add(['float/complex1.py', 'float/complex1_intbig.py', 'float/complex_reverse_op.py',
            'float/complex_special_methods.py', 'float/int_big_float.py', 'float/true_value.py', 'float/types.py',
            'float/complex_dunder.py'], 'no complex numbers');
    }
    if (!f.coverage) add(['cmdline/cmd_parsetree.py', 'cmdline/repl_sys_ps1_ps2.py', 'extmod/ssl_poll.py'], 'not a coverage build');
    if (!PC_PLATFORMS.includes(f.platform)) {
        add(['basics/exception_chain.py'], 'warning is not printed on a board');
        add(['micropython/meminfo.py'], 'output differs from the unix port by design');
        // It skips itself where select.poll refuses int fds (the stock firmware); ours polls fds, and its output
        // then depends on what fds 0-2 are (the reference CPython polls the host's own stdio).
        add(['extmod/select_poll_fd.py'], "polls fds 0-2: the output depends on the host's stdio (a unix-port test)");
    }
    add(PLATFORM_SKIPS[f.platform] ?? [], `excluded on ${f.platform} by run-tests.py`);
    // Emulator limits, the same for every firmware (stock and ours): see docs/testing.md.
    add(['extmod/machine_i2s_rate.py'], 'I2S sample timing is not modelled by the emulator (times out on the stock firmware too)');
    // net_hosted runs over the loopback interface lo0: the emulated board has no host network (docs/network.md).
    add(['net_hosted/connect_nonblock.py', 'net_hosted/connect_nonblock_xfer.py', 'net_hosted/connect_poll.py',
        'net_hosted/connect_timeout.py'], 'needs the internet (micropython.org, 1.1.1.1): the emulated board has only lo0');
    add(['net_hosted/asyncio_loopback.py'], 'its expected order needs two asyncio.sleep(0.1) started in different tasks to fall in the '
        + 'same millisecond: flaky on the emulated board (passes alone; tests/firmware/F11-net/asyncio_echo_clients.py covers the streams)');
    // extmod's socket tests run now that the firmware has a socket module (the stock rp2 Pico build has none).
    add(['extmod/select_poll_udp.py', 'extmod/socket_udp_nonblock.py'], 'the CPython reference skips them where it cannot bind '
        + '127.0.0.1:8000 on the host; they pass on the board (docs/network.md)');
    add(['extmod/select_poll_custom.py'], 'with a socket and a custom pollable, select.poll returns them in another order than the '
        + 'reference and does not raise the pollable\'s ioctl error (ports/rp2/posix/mp_modselect.c; docs/network.md)');
    add(['net_hosted/ssl_getpeercert.py', 'net_hosted/ssl_verify_callback.py'], 'needs the internet and TLS (no ssl module yet)');
    return m;
}

/** The base name of a test without `.py`: the name-based rules look at it. */
export function testName(id: string): string {
    const base = id.slice(id.lastIndexOf('/') + 1);
    return base.endsWith('.py') ? base.slice(0, -3) : base;
}

/** Why a test is skipped on a target with these features, or undefined to run it. */
export function skipReason(id: string, f: Features, list: Map<string, string> = skipList(f)): string | undefined {
    const listed = list.get(id);
    if (listed) return listed;
    if ((f.platform === 'rp2' || PC_PLATFORMS.includes(f.platform)) && id.startsWith('thread/mutate_')) {
        return 'thread mutation test needs a GIL-less port';
    }
    const name = testName(id);
    const rules: [boolean, boolean, string][] = [
        [!f.native, name.startsWith('native_') || name.startsWith('viper_'), 'no native emitter'],
        [!f.sameByteOrder, name.endsWith('_endian'), 'byte order differs from the host'],
        [!f.intBig, name.startsWith('int_big') || name.endsWith('_intbig'), 'no big integers'],
        [!f.bytearray, name.startsWith('bytearray') || name.endsWith('_bytearray'), 'no bytearray'],
        [!f.set, name.startsWith('set_') || name.startsWith('frozenset') || name.endsWith('_set'), 'no set type'],
        [!f.slice, name.includes('slice') || USES_SLICE.has(name), 'no slice'],
        [!f.async, name.startsWith('async_') || name.startsWith('asyncio_'), 'no async/await'],
        [!f.const, name.startsWith('const'), 'no const'],
        [!f.reverseOps, name.includes('reverse_op'), 'no reverse operators'],
        [!f.ioModule, name.startsWith('io_'), 'no io module'],
        [!f.fstring, name.startsWith('string_fstring'), 'no f-strings'],
        [f.inlineAsmArch === null, name.startsWith('asm'), 'no inline assembler'],
    ];
    for (const [lacking, applies, why] of rules) {
        if (lacking && applies) return why;
    }
    return undefined;
}
