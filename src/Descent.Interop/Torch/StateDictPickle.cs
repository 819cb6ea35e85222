using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Descent.Interop.Torch;

/// <summary>
/// A restricted reader of the pickle that <c>torch.save(model.state_dict(), path)</c> writes (<c>data.pkl</c> in the
/// zip). It is not a general unpickler and runs nothing: it knows only the opcodes such a pickle uses (protocols 2–5:
/// tuples, lists, dicts, strings, numbers, memo, <c>REDUCE</c>, <c>BUILD</c>, persistent ids) and only the globals a
/// state_dict refers to — <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>,
/// <c>torch._utils._rebuild_parameter</c> and the <c>torch.*Storage</c> types — each of which it replaces by building a
/// dictionary or a tensor description itself. Any other global (<c>os.system</c>, <c>builtins.eval</c>, a user class)
/// or opcode is refused where it appears, before anything is built from it, with an error naming it.
/// <para>
/// Why not Razorvine.Pickle (the issue's suggestion): it is a general unpickler that constructs registered classes and
/// keeps unknown ones as dictionaries; here the safe subset is small and closed, so accepting only it is both shorter
/// to audit and safe by construction.
/// </para>
/// </summary>
internal sealed class StateDictPickle
{
    /// <summary>A global a state_dict may name.</summary>
    internal sealed record Global(string Module, string Name)
    {
        public override string ToString() => Module + "." + Name;
    }

    /// <summary>A storage: the persistent id <c>('storage', torch.FloatStorage, key, location, numel)</c>.</summary>
    internal sealed record Storage(string DType, string Key, long Count);

    /// <summary>A tensor view of a storage.</summary>
    internal sealed record TensorView(Storage Storage, long Offset, int[] Shape, long[] Stride);

    /// <summary>An ordered dictionary (a state_dict or a plain dict).</summary>
    internal sealed class Dict : List<KeyValuePair<object, object?>>;

    private sealed class Mark
    {
        public static readonly Mark Instance = new();
    }

    /// <summary>The storage types a state_dict may hold, by class name, with their element type.</summary>
    internal static readonly IReadOnlyDictionary<string, string> StorageTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["FloatStorage"] = "float32", ["DoubleStorage"] = "float64", ["HalfStorage"] = "float16", ["BFloat16Storage"] = "bfloat16",
        ["LongStorage"] = "int64", ["IntStorage"] = "int32", ["ShortStorage"] = "int16", ["CharStorage"] = "int8",
        ["ByteStorage"] = "uint8", ["BoolStorage"] = "bool",
    };

    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    };

    private const int MaxMemo = 1 << 20;

    private readonly byte[] _data;
    private readonly string _path;
    private int _at;
    private readonly List<object?> _stack = [];
    private readonly Dictionary<long, object?> _memo = [];

    private StateDictPickle(byte[] data, string path) => (_data, _path) = (data, path);

    /// <summary>The object the pickle describes (a <see cref="Dict"/> for a state_dict).</summary>
    /// <exception cref="InteropFormatException">An opcode or global outside the state_dict subset, or a malformed pickle.</exception>
    public static object? Read(byte[] data, string path) => new StateDictPickle(data, path).Run();

    private InteropFormatException Error(string detail) => new(_path, detail);

    private object? Run()
    {
        try
        {
            while (true)
            {
                byte op = U8();
                switch (op)
                {
                    case 0x80: U8(); break;                                   // PROTO
                    case 0x95: Take(8); break;                                // FRAME
                    case (byte)'.': return _stack.Count == 1 ? _stack[0] : throw Error("the pickle ends with more than one value on its stack.");
                    case (byte)'(': Push(Mark.Instance); break;               // MARK
                    case (byte)'}': Push(new Dict()); break;                  // EMPTY_DICT
                    case (byte)']': Push(new List<object?>()); break;         // EMPTY_LIST
                    case (byte)')': Push(Array.Empty<object?>()); break;      // EMPTY_TUPLE
                    case (byte)'t': Push(PopToMark().ToArray()); break;       // TUPLE
                    case 0x85: Push(new[] { Pop() }); break;                  // TUPLE1
                    case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                    case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                    case (byte)'q': Memo(U8()); break;                        // BINPUT
                    case (byte)'r': Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break;
                    case 0x94: Memo(_memo.Count); break;                      // MEMOIZE
                    case (byte)'h': Push(Get(U8())); break;                   // BINGET
                    case (byte)'j': Push(Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
                    case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;   // BININT
                    case (byte)'K': Push((long)U8()); break;                  // BININT1
                    case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                    case 0x8a: Push(Long1()); break;                          // LONG1
                    case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;          // BINFLOAT
                    case (byte)'X': Push(Text(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;  // BINUNICODE
                    case 0x8c: Push(Text(U8())); break;                       // SHORT_BINUNICODE
                    case 0x8d: Push(Text(checked((long)BinaryPrimitives.ReadUInt64LittleEndian(Take(8))))); break;
                    case (byte)'C': Push(Take(U8()).ToArray()); break;        // SHORT_BINBYTES
                    case (byte)'B': Push(Take((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4))).ToArray()); break;
                    case (byte)'N': Push(null); break;
                    case 0x88: Push(true); break;
                    case 0x89: Push(false); break;
                    case (byte)'c': Push(Allow(new Global(Line(), Line()))); break;                     // GLOBAL
                    case 0x93: { var name = Pop() as string; var module = Pop() as string; Push(Allow(new Global(module ?? "?", name ?? "?"))); break; }
                    case (byte)'R': { var args = Pop() as object?[] ?? throw Error("REDUCE without an argument tuple."); Push(Call(Pop(), args)); break; }
                    case (byte)'Q': Push(PersistentLoad(Pop())); break;       // BINPERSID
                    case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek()).Add(new(k!, v)); break; }
                    case (byte)'u': { var items = PopToMark(); var d = AsDict(Peek()); for (int i = 0; i + 1 < items.Count; i += 2) d.Add(new(items[i]!, items[i + 1])); break; }
                    case (byte)'a': { var v = Pop(); AsList(Peek()).Add(v); break; }
                    case (byte)'e': { var items = PopToMark(); AsList(Peek()).AddRange(items); break; }
                    case (byte)'b':                                           // BUILD: a state_dict's _metadata; kept out
                        {
                            var state = Pop();
                            if (Peek() is not Dict || state is not (Dict or null or object?[])) throw Error("BUILD on something other than a dictionary: not a state_dict.");
                            break;
                        }
                    default:
                        throw Error($"the pickle uses opcode 0x{op:x2} at byte {_at - 1}, which a PyTorch state_dict never holds; refused (nothing was executed). Save the model with torch.save(model.state_dict(), path).");
                }
            }
        }
        catch (IndexOutOfRangeException)
        {
            throw Error("the pickle is truncated.");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw Error("the pickle is truncated.");
        }
        catch (OverflowException)
        {
            throw Error("the pickle holds a length or size no state_dict has: it is damaged.");
        }
    }

    private Global Allow(Global g)
    {
        bool storage = g.Module == "torch" && StorageTypes.ContainsKey(g.Name);
        if (!storage && !Functions.Contains(g.ToString()))
            throw Error($"the pickle refers to '{g}', which a PyTorch state_dict never holds; refused (nothing was executed). Only tensors and dictionaries are read: save the weights with torch.save(model.state_dict(), path).");
        return g;
    }

    private object? Call(object? function, object?[] args)
    {
        if (function is not Global g) throw Error("REDUCE on something that is not a known function.");
        switch (g.ToString())
        {
            case "collections.OrderedDict" when args.Length == 0: return new Dict();
            case "torch._utils._rebuild_tensor_v2" when args.Length >= 4:
                {
                    var storage = args[0] as Storage ?? throw Error("a tensor without a storage.");
                    long offset = Int(args[1]);
                    var shape = (args[2] as object?[] ?? throw Error("a tensor without a shape.")).Select(d => checked((int)Int(d))).ToArray();
                    var stride = (args[3] as object?[] ?? throw Error("a tensor without strides.")).Select(Int).ToArray();
                    if (stride.Length != shape.Length || shape.Any(d => d < 0) || offset < 0) throw Error("a tensor with inconsistent shape and strides.");
                    return new TensorView(storage, offset, shape, stride);
                }
            case "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state" when args.Length >= 1 && args[0] is TensorView t:
                return t;
            default:
                throw Error($"'{g}' called with unexpected arguments: not a state_dict.");
        }
    }

    private object PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: >= 5 } t || t[0] as string != "storage" || t[1] is not Global { Module: "torch" } type
            || !StorageTypes.TryGetValue(type.Name, out var dtype) || t[2] is not string key)
            throw Error("a persistent id that is not a tensor storage: not a state_dict.");
        return new Storage(dtype, key, Int(t[4]));
    }

    private long Int(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw Error($"expected an integer, found {value?.GetType().Name ?? "None"}."),
    };

    private Dict AsDict(object? value) => value as Dict ?? throw Error("SETITEM on something other than a dictionary.");

    private List<object?> AsList(object? value) => value as List<object?> ?? throw Error("APPEND on something other than a list.");

    private byte U8() => _data[_at++];

    private ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || _at + count > _data.Length) throw Error("the pickle is truncated.");
        var span = _data.AsSpan(_at, (int)count);
        _at += (int)count;
        return span;
    }

    private string Text(long count) => Encoding.UTF8.GetString(Take(count));

    private string Line()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _at);
        if (end < 0) throw Error("the pickle is truncated.");
        string s = Encoding.UTF8.GetString(_data, _at, end - _at);
        _at = end + 1;
        return s;
    }

    private object Long1()
    {
        int n = U8();
        if (n > 8) throw Error("an integer too large for a state_dict.");
        var bytes = Take(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | bytes[i];
        if (n > 0 && n < 8 && (bytes[n - 1] & 0x80) != 0) v -= 1L << (8 * n);
        return v;
    }

    private void Push(object? value)
    {
        if (_stack.Count > _data.Length + 16) throw Error("the pickle's stack grows without bound.");
        _stack.Add(value);
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || _stack[^1] is Mark) throw Error("the pickle pops an empty stack.");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek() => _stack.Count == 0 ? throw Error("the pickle reads an empty stack.") : _stack[^1];

    private List<object?> PopToMark()
    {
        int mark = _stack.FindLastIndex(v => v is Mark);
        if (mark < 0) throw Error("the pickle has no MARK where one is needed.");
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private void Memo(long index)
    {
        if (_memo.Count >= MaxMemo) throw Error("the pickle's memo is larger than a state_dict's.");
        _memo[index] = Peek();
    }

    private object? Get(long index) => _memo.TryGetValue(index, out var v) ? v : throw Error($"the pickle reads memo entry {index.ToString(CultureInfo.InvariantCulture)}, which it never wrote.");
}
