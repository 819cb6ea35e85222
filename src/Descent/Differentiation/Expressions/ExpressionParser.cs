using System.Globalization;

namespace Descent.Differentiation.Expressions;

/// <summary>
/// Recursive-descent parser behind <see cref="Expr.Parse"/>. Grammar (lowest precedence first):
/// <code>
/// sum     := product (('+' | '-') product)*
/// product := unary (('*' | '/') unary)*
/// unary   := '-' unary | power                 -- no unary '+': "x^ + 3" is a missing operand, not x^(+3)
/// power   := primary (('^' | '**') unary)?      -- right-associative; -x^2 = -(x^2); x^-1 allowed
/// primary := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
/// </code>
/// Nesting is bounded by <see cref="Expr.MaxDepth"/> (both the parser's recursion and the tree built), so hostile
/// input gets an <see cref="ExpressionException"/> rather than a stack overflow.
/// </summary>
internal sealed class ExpressionParser
{
    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _position;
    private int _recursion;

    public ExpressionParser(string text)
    {
        _text = text;
        if (text.Length > Expr.MaxLength)
        {
            throw Error($"expression is too long ({text.Length} characters; the limit is {Expr.MaxLength})", Expr.MaxLength + 1);
        }

        _tokens = Tokenize();
    }

    private enum TokenKind
    {
        Number,
        Name,
        Operator,
        Open,
        Close,
        Comma,
        End,
    }

    private Token Current => _tokens[_position];

    /// <summary>True if <paramref name="name"/> is a valid identifier: a letter or '_', then letters, digits or '_'.</summary>
    public static bool IsIdentifier(string name) =>
        name.Length > 0 && IsNameStart(name[0]) && name.All(IsNamePart);

    public Expr ParseAll()
    {
        if (Current.Kind == TokenKind.End)
        {
            throw Error("expression is empty", 1, "write something like 2*x + 1");
        }

        var result = ParseSum();
        var token = Current;
        return token.Kind switch
        {
            TokenKind.End => result,
            TokenKind.Close => throw Error("unbalanced parentheses: unmatched ')'", token.Column, "remove it or add a '(' before it"),
            _ => throw Error($"unexpected '{token.Text}' after a complete expression", token.Column, "an operator such as '*' may be missing"),
        };
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private Expr ParseSum()
    {
        var left = ParseProduct();
        while (Current is { Kind: TokenKind.Operator, Text: "+" or "-" })
        {
            var op = Advance();
            var right = ParseProduct();
            left = Build(Expr.Binary(op.Text == "+" ? BinaryOperator.Add : BinaryOperator.Subtract, left, right), op);
        }

        return left;
    }

    private Expr ParseProduct()
    {
        var left = ParseUnary();
        while (Current is { Kind: TokenKind.Operator, Text: "*" or "/" })
        {
            var op = Advance();
            var right = ParseUnary();
            left = Build(Expr.Binary(op.Text == "*" ? BinaryOperator.Multiply : BinaryOperator.Divide, left, right), op);
        }

        return left;
    }

    private Expr ParseUnary()
    {
        Enter();
        try
        {
            if (Current is { Kind: TokenKind.Operator, Text: "-" })
            {
                var op = Advance();
                // "-2" is the literal −2 (as printed for a negative number), unless a power follows: -2^2 is −(2²).
                if (Current.Kind == TokenKind.Number && _tokens[_position + 1] is not { Kind: TokenKind.Operator, Text: "^" or "**" })
                {
                    return Expr.Number(-((NumberExpr)ParsePrimary()).Value);
                }

                // One nesting level per sign: the operand of '-' is parsed here, not through another ParseUnary, so
                // -(-(x)) costs one level per '-' like the tree it builds and whatever prints parses back.
                return Build(Expr.Negate(Current is { Kind: TokenKind.Operator, Text: "-" } ? ParseUnary() : ParsePower()), op);
            }

            return ParsePower();
        }
        finally
        {
            _recursion--;
        }
    }

    private Expr ParsePower()
    {
        var left = ParsePrimary();
        if (Current is { Kind: TokenKind.Operator, Text: "^" or "**" })
        {
            var op = Advance();
            var right = ParseUnary();
            return Build(Expr.Power(left, right), op);
        }

        return left;
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return Expr.Number(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture));
            case TokenKind.Name:
                Advance();
                return ParseName(token);
            case TokenKind.Open:
                Advance();
                var inner = ParseSum();
                Expect(TokenKind.Close, token, "(");
                return inner;
            default:
                throw MissingOperand(token);
        }
    }

    private Expr ParseName(Token name)
    {
        var isCall = Current.Kind == TokenKind.Open;
        switch (name.Text)
        {
            case "pi" when !isCall:
                return Expr.Pi;
            case "e" when !isCall:
                return Expr.E;
            case "pi" or "e":
                throw Error($"'{name.Text}' is a constant, not a function", name.Column, $"write {name.Text}*(...) to multiply");
        }

        if (FunctionCatalog.TryGet(name.Text, out var definition))
        {
            if (!isCall)
            {
                throw Error($"function '{name.Text}' must be followed by '('", Current.Column, $"write {name.Text}(x)");
            }

            return ParseCall(name, definition);
        }

        if (isCall)
        {
            var nearest = EditDistance.Nearest(name.Text, FunctionCatalog.Names);
            throw Error($"unknown function '{name.Text}'", name.Column, nearest is null
                ? $"known functions are {string.Join(", ", FunctionCatalog.Names)}"
                : $"did you mean '{nearest}'?");
        }

        return Expr.Variable(name.Text);
    }

    private Expr ParseCall(Token name, FunctionDefinition definition)
    {
        var open = Advance();
        // No nesting level of its own: each argument enters one (in ParseUnary), like the call's node in the tree.
        var arguments = new List<Expr> { ParseSum() };
        while (Current.Kind == TokenKind.Comma)
        {
            Advance();
            arguments.Add(ParseSum());
        }

        Expect(TokenKind.Close, open, "(");
        if (arguments.Count != definition.Arity)
        {
            throw Error(
                $"function '{name.Text}' takes {definition.Arity} argument{(definition.Arity == 1 ? "" : "s")} but was given {arguments.Count}",
                name.Column);
        }

        return Build(Expr.Call(name.Text, [.. arguments]), name);
    }

    private void Expect(TokenKind kind, Token open, string openText)
    {
        if (Current.Kind == kind)
        {
            Advance();
            return;
        }

        if (Current.Kind == TokenKind.End)
        {
            throw Error($"unbalanced parentheses: the '{openText}' is never closed", open.Column, "add a ')'");
        }

        throw Error($"expected ')' to close the '{openText}' at column {open.Column} but found '{Current.Text}'", Current.Column);
    }

    private ExpressionException MissingOperand(Token token)
    {
        if (_position > 0)
        {
            var previous = _tokens[_position - 1];
            return Error($"expected an operand after '{previous.Text}'", previous.Column + previous.Text.Length);
        }

        return Error($"expected an operand before '{token.Text}'", token.Column);
    }

    private Expr Build(Expr node, Token at)
    {
        if (node.Depth > Expr.MaxDepth)
        {
            throw Error($"expression nests deeper than {Expr.MaxDepth} levels", at.Column, "split it into smaller expressions");
        }

        return node;
    }

    private void Enter()
    {
        if (++_recursion > Expr.MaxDepth)
        {
            throw Error($"expression nests deeper than {Expr.MaxDepth} levels", Current.Column, "split it into smaller expressions");
        }
    }

    private Token Advance() => _tokens[_position++];

    private ExpressionException Error(string problem, int column, string? hint = null) => new(problem, column, _text, hint);

    private List<Token> Tokenize()
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < _text.Length)
        {
            var c = _text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < _text.Length && char.IsAsciiDigit(_text[i + 1])) || c == '.')
            {
                tokens.Add(ReadNumber(ref i));
                continue;
            }

            if (IsNameStart(c))
            {
                while (i < _text.Length && IsNamePart(_text[i]))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Name, _text[start..i], start + 1));
                continue;
            }

            switch (c)
            {
                case '*' when i + 1 < _text.Length && _text[i + 1] == '*':
                    tokens.Add(new Token(TokenKind.Operator, "**", start + 1));
                    i += 2;
                    continue;
                case '+' or '-' or '*' or '/' or '^':
                    tokens.Add(new Token(TokenKind.Operator, c.ToString(), start + 1));
                    break;
                case '(':
                    tokens.Add(new Token(TokenKind.Open, "(", start + 1));
                    break;
                case ')':
                    tokens.Add(new Token(TokenKind.Close, ")", start + 1));
                    break;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ",", start + 1));
                    break;
                default:
                    throw Error($"unexpected character '{c}'", start + 1, "use numbers, names, + - * / ^ ( ) and ','");
            }

            i++;
        }

        tokens.Add(new Token(TokenKind.End, "end of input", _text.Length + 1));
        return tokens;
    }

    /// <summary>digits [. digits] [(e|E) [+|-] digits]; anything glued on (letters, digits, dots) makes it malformed.</summary>
    private Token ReadNumber(ref int i)
    {
        var start = i;
        while (i < _text.Length && (char.IsAsciiDigit(_text[i]) || _text[i] == '.'))
        {
            i++;
        }

        if (i < _text.Length && _text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < _text.Length && _text[j] is '+' or '-')
            {
                j++;
            }

            if (j < _text.Length && char.IsAsciiDigit(_text[j]))
            {
                i = j;
                while (i < _text.Length && char.IsAsciiDigit(_text[i]))
                {
                    i++;
                }
            }
        }

        var malformed = false;
        while (i < _text.Length && (IsNamePart(_text[i]) || _text[i] == '.'))
        {
            malformed = true;
            i++;
        }

        var text = _text[start..i];
        if (malformed || text.Count(ch => ch == '.') > 1 || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || text == ".")
        {
            var hint = text.Length > 0 && IsNameStart(text[^1]) || text.Any(IsNameStart)
                ? "there is no implicit multiplication: write 2*x, and exponents as 1e-3"
                : "write numbers like 2, 0.5 or 1e-3";
            throw Error($"malformed number '{text}'", start + 1, hint);
        }

        if (!double.IsFinite(value))
        {
            throw Error($"number '{text}' is out of range", start + 1, "doubles go up to about 1.8e308");
        }

        return new Token(TokenKind.Number, text, start + 1);
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Column);
}
