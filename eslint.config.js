// ESLint for the TypeScript of cli/, tests/ and bench/: typescript-eslint's recommended rules, and the
// house style (4-space indent, single quotes, semicolons, trailing commas) as @stylistic rules, so
// `npm run lint` is both the linter and the formatter check. `npm run lint -- --fix` applies the style.
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

/** RP2040 addresses and the UF2 family are cli/chip/rp2040.ts's (flash base, SRAM base and end, SIO, UF2 family). */
const CHIP_RULE = {
    selector: 'Literal[raw=/^0x(10000000|20000000|20042000|d0000000|e48bff56)$/i]',
    message: 'an RP2040 memory-map fact: import it from cli/chip/rp2040.ts',
};
/** The raw-REPL control bytes (Ctrl-A..Ctrl-D) are cli/repl/raw-repl.ts's. */
const RAW_REPL_RULE = {
    selector: 'Literal[value=/[\\x01-\\x04]/], TemplateElement[value.cooked=/[\\x01-\\x04]/]',
    message: 'a raw-REPL control byte: use CTRL_A..CTRL_D from cli/repl/raw-repl.ts',
};
const ONE_PLACE_RULES = [CHIP_RULE, RAW_REPL_RULE];

export default tseslint.config(
    { ignores: ['dist/', 'node_modules/', 'build/', 'xpacks/'] },
    ...tseslint.configs.recommended,
    {
        files: ['**/*.ts'],
        plugins: { '@stylistic': stylistic },
        rules: {
            '@stylistic/indent': ['error', 4, { SwitchCase: 1, ignoredNodes: ['TemplateLiteral *'] }],
            '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
            '@stylistic/semi': ['error', 'always'],
            '@stylistic/comma-dangle': ['error', 'always-multiline'],
            '@stylistic/max-len': ['error', { code: 180, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
            '@stylistic/no-trailing-spaces': 'error',
            '@stylistic/eol-last': 'error',
            '@stylistic/no-multiple-empty-lines': ['error', { max: 1 }],
            '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
            '@stylistic/keyword-spacing': 'error',
            '@stylistic/space-before-blocks': 'error',
            '@stylistic/space-infix-ops': 'error',
            '@stylistic/comma-spacing': 'error',
            '@stylistic/arrow-parens': ['error', 'always'],
            '@stylistic/member-delimiter-style': 'error',
            '@stylistic/type-annotation-spacing': 'error',
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
            'no-restricted-syntax': ['error', ...ONE_PLACE_RULES],
        },
    },
    // The one place each of these facts may be spelled.
    { files: ['cli/chip/**/*.ts'], rules: { 'no-restricted-syntax': ['error', RAW_REPL_RULE] } },
    { files: ['cli/repl/**/*.ts'], rules: { 'no-restricted-syntax': ['error', CHIP_RULE] } },
);
