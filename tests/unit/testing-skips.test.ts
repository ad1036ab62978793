import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featuresFromProbes, skipReason, testName } from '../../cli/testing/skips.js';
import type { ProbeOutputs } from '../../cli/testing/skips.js';

/** What the stock rp2 firmware answers to the probes. */
const RP2: ProbeOutputs = {
    'target_info.py': 'rp2 armv6m\n',
    'inlineasm_rv32.py': 'Traceback...\nCRASH',
    'inlineasm_thumb.py': 'thumb\n',
    'inlineasm_thumb2.py': 'Traceback...\nCRASH',
    'native_check.py': 'native\n',
    'int_big.py': '1000000000000000000000000000000000000000000000\n',
    'bytearray.py': 'bytearray\n',
    'set_check.py': '{1}\n',
    'slice.py': 'slice\n',
    'async_check.py': 'async\n',
    'const.py': '1\n',
    'reverse_ops.py': '',
    'io_module.py': 'io\n',
    'fstring.py': 'a=1\n',
    'byteorder.py': 'little\n',
    'float.py': '32\n',
    'complex.py': 'complex\n',
    'coverage.py': 'Traceback\nCRASH',
};

test('probe outputs become features', () => {
    const f = featuresFromProbes(RP2, 'little\n');
    assert.equal(f.platform, 'rp2');
    assert.equal(f.arch, 'armv6m');
    assert.equal(f.inlineAsmArch, 'thumb');
    assert.equal(f.thumb2, false);
    assert.equal(f.floatBits, 32);
    assert.equal(f.coverage, false);
    assert.equal(f.sameByteOrder, true);
    assert.equal(featuresFromProbes(RP2, 'big\n').sameByteOrder, false);
    assert.equal(featuresFromProbes({ ...RP2, 'target_info.py': 'rp2 None\n' }, 'little\n').arch, null);
    assert.equal(featuresFromProbes({ ...RP2, 'target_info.py': 'oops\nCRASH' }, 'little\n').platform, 'unknown');
});

test('on stock rp2: single-precision float and board-only rules skip exactly the listed tests', () => {
    const f = featuresFromProbes(RP2, 'little\n');
    assert.equal(skipReason('float/float_divmod.py', f), 'float precision below 64 bits');
    assert.equal(skipReason('float/string_format.py', f), undefined); // needs 32 bits: has them
    assert.equal(skipReason('basics/exception_chain.py', f), 'warning is not printed on a board');
    assert.equal(skipReason('micropython/meminfo.py', f), 'output differs from the unix port by design');
    assert.equal(skipReason('inlineasm/thumb/asmdiv.py', f), 'no Thumb-2 inline assembler');
    assert.equal(skipReason('inlineasm/thumb/asmsum.py', f), undefined);
    assert.equal(skipReason('extmod/ssl_poll.py', f), 'not a coverage build');
    assert.equal(skipReason('thread/thread_lock2.py', f), 'excluded on rp2 by run-tests.py');
    assert.equal(skipReason('thread/mutate_list.py', f), 'thread mutation test needs a GIL-less port');
    assert.equal(skipReason('basics/int1.py', f), undefined);
    assert.equal(skipReason('micropython/viper_args.py', f), undefined);
});

test('name rules follow the missing features', () => {
    const f = featuresFromProbes(
        { ...RP2, 'native_check.py': 'CRASH', 'int_big.py': '1\n', 'set_check.py': 'x', 'slice.py': '', 'async_check.py': '',
            'const.py': '', 'reverse_ops.py': 'TypeError\n', 'io_module.py': '', 'fstring.py': '', 'bytearray.py': '',
            'inlineasm_thumb.py': '', 'float.py': '0\n', 'complex.py': '' },
        'big\n',
    );
    const cases: [string, string][] = [
        ['micropython/viper_args.py', 'no native emitter'],
        ['micropython/native_const.py', 'no native emitter'],
        ['basics/int_big_add.py', 'no big integers'],
        ['basics/pow3_intbig.py', 'no big integers'],
        ['basics/set_add.py', 'no set type'],
        ['basics/frozenset1.py', 'no set type'],
        ['basics/builtin_range.py', 'no slice'],
        ['basics/slice_attrs.py', 'no slice'],
        ['basics/async_def.py', 'no async/await'],
        ['extmod/asyncio_basic.py', 'no async/await'],
        ['micropython/const2.py', 'no const'],
        ['basics/class_reverse_op.py', 'no reverse operators'],
        ['basics/io_stringio1.py', 'no io module'],
        ['basics/string_fstring.py', 'no f-strings'],
        ['basics/bytearray1.py', 'no bytearray'],
        ['inlineasm/thumb/asmsum.py', 'no inline assembler'],
        ['basics/struct_endian.py', 'byte order differs from the host'],
        ['basics/memoryview1.py', 'no slice'],
        ['extmod/json_dumps_float.py', 'no float'],
        ['float/complex1.py', 'no complex numbers'],
        ['basics/ordereddict_endian.py', 'byte order differs from the host'],
    ];
    for (const [id, why] of cases) assert.equal(skipReason(id, f), why, id);
    // A name that only contains a keyword elsewhere is not caught by a prefix rule.
    assert.equal(skipReason('basics/subset_.py', f), undefined);
});

test('testName strips folders and .py', () => {
    assert.equal(testName('basics/int_big1.py'), 'int_big1');
    assert.equal(testName('tests/firmware/F8/select1.py'), 'select1');
});
