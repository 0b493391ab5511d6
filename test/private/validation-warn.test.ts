/**
 * Validator.warn: a value that is accepted but probably not meant. On a construct it is
 * a cdktf warning annotation (printed by `cdktf synth`, synth goes on); on a factory
 * without a scope, a process warning.
 */
import { AnnotationMetadataEntryType } from 'cdktf';
import { Construct } from 'constructs';
import { Validator } from '../../lib/private/validation';
import { newStack } from '../support/synth';

class Widget extends Construct {}

test('on a construct: one warning annotation, prefixed with the class, and no error', () => {
  const widget = new Widget(newStack('prod'), 'W');
  new Validator(widget).warn('size ("smal") is not a size; did you mean "small"?');
  expect(widget.node.metadata.map((m) => [m.type, m.data])).toEqual([
    [AnnotationMetadataEntryType.WARN, 'Widget: size ("smal") is not a size; did you mean "small"?'],
  ]);
});

test('on a factory (no scope): a process warning naming the factory', () => {
  const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    new Validator('Widget.of').warn('size ("smal") is not a size.');
    expect(emit.mock.calls).toEqual([['Widget.of: size ("smal") is not a size.']]);
  } finally {
    emit.mockRestore();
  }
});
