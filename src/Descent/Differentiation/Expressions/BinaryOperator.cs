namespace Descent.Differentiation.Expressions;

/// <summary>The operator of a <see cref="BinaryExpr"/>.</summary>
public enum BinaryOperator
{
    /// <summary>Addition <c>a + b</c>.</summary>
    Add,

    /// <summary>Subtraction <c>a - b</c>.</summary>
    Subtract,

    /// <summary>Multiplication <c>a * b</c>.</summary>
    Multiply,

    /// <summary>Division <c>a / b</c>.</summary>
    Divide,

    /// <summary>Exponentiation <c>a ^ b</c> (right-associative; <c>**</c> is accepted as a synonym when parsing).</summary>
    Power,
}
